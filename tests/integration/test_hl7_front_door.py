"""Every HL7 v2 frame gets an answer and a stored outcome, whatever its bytes (MLLP and HTTP)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

import pytest
from fastapi.testclient import TestClient

from finalmile.app import Services
from finalmile.auth.models import Scope
from finalmile.auth.service import create_key
from finalmile.config.settings import Settings
from finalmile.connectors.mllp.client import MllpClient
from finalmile.intake import prepare_hl7
from finalmile.intake.acks import acknowledge
from finalmile.main import create_app
from finalmile.mapping import Hl7Profile
from finalmile_devtools.hl7_fuzz import mutants, seeds
from tests.hl7_builder import msa

NOW = dt.datetime(2026, 11, 20, 14, tzinfo=dt.UTC)
HOSTILE = [s for s in seeds() if b"\xff\xfe" not in s[:2]] + [b"MSH\rPID|1", b"garbage"]


def _send_all(port: int, messages: list[bytes]) -> list[bytes]:
    async def run() -> list[bytes]:
        async with MllpClient("127.0.0.1", port, timeout=20) as client:
            return [await client.send(m) for m in messages]

    return asyncio.run(run())


def test_hostile_frames_over_mllp_are_all_answered(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    small = settings.model_copy(update={"mllp_max_frame_bytes": 4096})
    frames = [m.replace(b"\x0b", b"").replace(b"\x1c", b"") for m in HOSTILE]
    with caplog.at_level(logging.ERROR), TestClient(create_app(small)) as client:
        acks = _send_all(client.app.state.mllp_port, frames)
    # One connection answered all of them in order (the oversize ones included).
    assert len(acks) == len(frames)
    assert all(msa(ack)[1] in ("AA", "AE", "CA", "CR") for ack in acks)
    assert "client_connected_cb" not in caplog.text


def test_post_hl7_never_answers_500(client: TestClient) -> None:
    services: Services = client.app.state.services
    with services.sessions() as session, session.begin():
        token = create_key(session=session, name="pms", scopes=[Scope.ORDERS_WRITE]).token
    for body in [*HOSTILE, *mutants(3, 150)]:
        response = client.post("/hl7/v2", content=body, headers={"X-API-Key": token})
        assert response.status_code in (200, 204, 413, 422, 503), body[:80]


def test_mutated_messages_each_end_stored_with_an_answer(services: Services) -> None:
    profile = Hl7Profile()
    prepared = [
        prepare_hl7(raw, connector="default", profile=profile, received_at=NOW)
        for raw in mutants(21, 1_000)
    ]
    outcomes = services.intake.commit_all(prepared)
    assert all(o.message_id is not None for o in outcomes)  # every one is a stored row
    for message, outcome in zip(prepared, outcomes, strict=True):
        acks = acknowledge(message.header, outcome)
        header = message.header
        enhanced = header is not None and (header.accept_ack_type or header.application_ack_type)
        assert acks or enhanced  # original mode: always exactly one ACK
