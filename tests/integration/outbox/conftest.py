"""Fixtures for outbox tests: the fake PMS process, orders, and outbox workers on a connector."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest
from sqlalchemy import select
from sqlmodel import col

from finalmile.app import Services, build_services
from finalmile.config.settings import Settings
from finalmile.db import transaction
from finalmile.orders.models import Order
from finalmile.outbox import OutboxEvent, enqueue
from finalmile.profiles.connector import ConnectorProfile
from finalmile_devtools import free_port, order_id_for, rde_o11
from finalmile_devtools.fake_pms import EVENTS_PATH, SECRET_ENV
from finalmile_devtools.process import STARTUP_TIMEOUT_SECONDS
from finalmile_devtools.wait_http import wait_for

SECRET = "whsec_dGVzdCBvbmx5OiB0aGUgb3V0Ym94IHRlc3RzJyBQTVM="


@dataclass
class PmsProcess:
    """Handle on the packaged fake PMS (``finalmile_devtools.fake_pms``) run as its own process."""

    base_url: str

    @property
    def webhook_url(self) -> str:
        """Where the ``pms`` connector posts its signed events."""
        return self.base_url + EVENTS_PATH

    def answer(self, status: int) -> None:
        """Answer every valid signed event with ``status`` from now on (200: store it)."""
        httpx2.post(f"{self.base_url}/control", json={"status": status}).raise_for_status()

    def state(self) -> dict[str, Any]:
        """The answer in force and the counts of duplicates, refusals and bad signatures."""
        result: dict[str, Any] = httpx2.get(f"{self.base_url}/state").json()
        return result

    def accepted(self) -> dict[str, dict[str, Any]]:
        """The events it stored, by idempotency key."""
        events = httpx2.get(f"{self.base_url}/events").json()["events"]
        return {event["idempotency_key"]: event for event in events}


@pytest.fixture
def fake_pms(tmp_path: Path) -> Iterator[PmsProcess]:
    """The fake PMS in its own process on a loopback port; output in ``fake-pms/output.log``."""
    port, folder = free_port(), tmp_path / "fake-pms"
    folder.mkdir()
    output = folder / "output.log"
    command = [sys.executable, "-m", "finalmile_devtools.fake_pms", "--port", str(port)]
    command += ["--events", str(folder / "events.jsonl")]
    with output.open("wb") as sink:
        process = subprocess.Popen(
            command,
            env={**os.environ, SECRET_ENV: SECRET},
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        pms = PmsProcess(f"http://127.0.0.1:{port}")
        assert wait_for(f"{pms.base_url}/state", STARTUP_TIMEOUT_SECONDS), output.read_text()
        yield pms
    finally:
        process.terminate()
        process.wait(timeout=10)


def profile(name: str = "pms", **writeback: Any) -> ConnectorProfile:
    """A connector accepting HL7 v2 with the given ``writeback`` section."""
    return ConnectorProfile.model_validate({"name": name, "hl7v2": {}, "writeback": writeback})


class Clock:
    """A settable clock for workers (simulated days pass in microseconds)."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.now = start or dt.datetime.now(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


def write_profile(config_dir: Path, text: str, name: str = "pms") -> None:
    """Write ``connectors/<name>.yaml`` under ``config_dir``."""
    folder = config_dir / "connectors"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.yaml").write_text(text, encoding="utf-8")


def ingest(services: Services, count: int, *, connector: str = "pms", start: int = 0) -> list[int]:
    """Store ``count`` synthetic HL7 orders for ``connector``; their primary keys."""
    outcomes = services.intake.ingest_hl7(
        [rde_o11(n) for n in range(start, start + count)], connector=connector
    )
    order_ids = [order_id_for(n) for n in range(start, start + count)]
    assert all(o.kind.value == "accepted" for o in outcomes), outcomes
    with services.sessions() as session:
        rows = session.scalars(
            select(Order).where(
                col(Order.order_id).in_(order_ids), col(Order.connector) == connector
            )
        )
        by_id = {row.order_id: row.id for row in rows}
    return [int(by_id[order_id]) for order_id in order_ids]  # type: ignore[arg-type]


def shipped_payload(
    order_pk: int, order_id: str, *, at: dt.datetime | None = None
) -> dict[str, Any]:
    """An ``order.shipped`` payload."""
    return {
        "order_id": order_id,
        "order_pk": order_pk,
        "carrier": "UPS",
        "service": "2ndDayAir",
        "tracking_number": f"1ZSYN{order_pk:08d}",
        "shipped_at": (at or dt.datetime(2026, 11, 22, 15, 4, tzinfo=dt.UTC)).isoformat(),
    }


def enqueue_shipped(services: Services, count: int, *, connector: str = "pms") -> list[int]:
    """``count`` orders, each with an ``order.shipped`` row; the outbox row ids."""
    pks = ingest(services, count, connector=connector)
    with transaction(services.sessions) as session:
        for pk in pks:
            order = session.get(Order, pk)
            assert order is not None
            enqueue(
                session,
                topic="order.shipped",
                key=f"shipped:{pk}",
                connector=connector,
                payload=shipped_payload(pk, order.order_id),
            )
    with services.sessions() as session:
        return list(session.scalars(select(col(OutboxEvent.id)).order_by(col(OutboxEvent.id))))


@pytest.fixture
def pms_settings(
    settings: Settings, tmp_path: Path, fake_pms: PmsProcess, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    """Settings with a ``pms`` connector writing back signed webhooks to the fake PMS."""
    monkeypatch.setenv("PMS_WEBHOOK_SECRET", SECRET)
    config_dir = tmp_path / "config"
    write_profile(
        config_dir,
        f"""
hl7v2: {{}}
writeback:
  webhook:
    url: {fake_pms.webhook_url}
    signature: standard
    secret_env: PMS_WEBHOOK_SECRET
    timeout_seconds: 5
  billing_csv:
    folder: billing
  retry:
    initial_seconds: 10
    max_seconds: 3600
    jitter_seconds: 5
    max_age_hours: 72
  billing:
    date_of_service: delivered
""",
    )
    return settings.model_copy(update={"config_dir": config_dir, "outbox_workers": 0})


@pytest.fixture
def pms(pms_settings: Settings) -> Iterator[Services]:
    """Services for ``pms_settings``."""
    built = build_services(pms_settings)
    yield built
    built.close()
