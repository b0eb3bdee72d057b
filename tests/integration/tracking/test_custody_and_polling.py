"""Custody: a row edited in the database is caught by ``finalmile custody verify`` and the API.
Polling: a parcel whose webhooks never came is tracked by asking the carrier."""

from __future__ import annotations

import datetime as dt
import json

from fastapi.testclient import TestClient
from sqlalchemy import text
from typer.testing import CliRunner

from finalmile.app import Services
from finalmile.carriers.easypost.webhooks import parse_event
from finalmile.cli import app
from finalmile.config.settings import Settings
from finalmile.main import create_app
from finalmile.tracking.service import TrackingService
from finalmile_sandbox.server import SandboxServer
from tests.integration.shipments.conftest import ingest_orders
from tests.integration.tracking.helpers import (
    api_key,
    custody_kinds,
    dropship,
    easypost_event,
    outbox_topics,
    shipment_of,
    state_of,
)


def _delivered_order(tracked: Services) -> str:
    order_id, number = dropship(tracked, 900)
    event = parse_event(easypost_event(number, 5, event_id="evt_c"))
    tracked.tracking.receive(provider="easypost", event_id=event.event_id, report=event.report)
    return order_id


def test_a_custody_row_edited_in_the_database_is_detected(
    cli_env: Settings, tracked: Services
) -> None:
    order_id = _delivered_order(tracked)
    runner = CliRunner()
    intact = runner.invoke(app, ["custody", "verify", order_id])
    order_pk = shipment_of(tracked, order_id).order_pk

    with tracked.engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE custody_event SET actor = 'driver:mallory' WHERE order_pk = :o AND seq = 2"
            ),
            {"o": order_pk},
        )
    broken = runner.invoke(app, ["custody", "verify", order_id])
    with TestClient(create_app(cli_env)) as api:
        chain = api.get(f"/orders/{order_id}/custody", headers=api_key(tracked)).json()

    assert intact.exit_code == 0, intact.stderr
    assert "custody chain OK, 3 events" in intact.stdout
    assert broken.exit_code == 1
    assert "BROKEN at event 2 (out_for_delivery" in broken.stderr
    assert (chain["verified"], chain["first_bad_seq"]) == (False, 2)
    assert [e["kind"] for e in chain["events"]] == [
        "transferred_to_carrier",
        "out_for_delivery",
        "delivered",
    ]


def test_custody_show_prints_the_chain_and_names_an_unknown_order(
    cli_env: Settings, tracked: Services
) -> None:
    order_id = _delivered_order(tracked)
    runner = CliRunner()
    shown = runner.invoke(app, ["custody", "show", order_id])
    unknown = runner.invoke(app, ["custody", "show", "RX-NOPE"])

    assert shown.exit_code == 0, shown.stderr
    lines = [json.loads(line) for line in shown.stdout.splitlines()]
    assert [(e["seq"], e["kind"]) for e in lines] == [
        (1, "transferred_to_carrier"),
        (2, "out_for_delivery"),
        (3, "delivered"),
    ]
    assert all(len(e["hash"]) == 64 for e in lines)
    assert unknown.exit_code == 1
    assert "RX-NOPE" in unknown.stderr


def test_staff_record_packing_into_the_chain(cli_env: Settings, tracked: Services) -> None:
    (order_id,) = ingest_orders(tracked, 1, start=950)
    headers = api_key(tracked)
    with TestClient(create_app(cli_env)) as api:
        packed = api.post(f"/orders/{order_id}/custody", headers=headers, json={"kind": "packed"})
        refused = api.post(
            f"/orders/{order_id}/custody", headers=headers, json={"kind": "delivered"}
        )

    assert packed.status_code == 201 and packed.json()["verified"] is True
    assert packed.json()["events"][0]["actor"].startswith("staff:key:")
    assert refused.status_code == 422


def test_polling_tracks_a_parcel_whose_webhooks_never_came(
    sandbox: SandboxServer, tracked: Services
) -> None:
    (order_id,) = ingest_orders(tracked, 1, start=960)
    tracked.shipments.buy(order_id=order_id, account="easypost")
    sandbox.advance(dt.timedelta(days=6))
    clock_now = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    service = TrackingService(
        sessions=tracked.sessions,
        vault=tracked.vault,
        shipments=tracked.shipments,
        stale_after=dt.timedelta(hours=6),
        on_evidence_settled=tracked.tracking.on_evidence_settled,
        clock=lambda: clock_now,
    )

    first = service.poll_due()
    second = service.poll_due()

    assert (first.polled, first.failed) == (1, 0) and first.new_events >= 4
    assert second.polled == 0  # delivered: nothing left to ask about
    state = state_of(tracked, order_id)
    assert state is not None and state.status.value == "delivered"
    assert state.last_polled_at == clock_now
    assert custody_kinds(tracked, order_id)[-1] == "delivered"
    assert outbox_topics(tracked, order_id)["order.delivered"] == 1
