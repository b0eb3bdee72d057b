"""The issue's scenario: DEMO-RX-009 (refrigerated, signature requested, a few blocks from the
pharmacy) is decided for the courier from live sandbox rates, USPS removed because the site has
no USPS pickup, and planned on the courier day. Staff then buy USPS Ground Advantage: refused
without a reason, refused with one but without the pharmacist role (refrigerated goods on a
ground service), accepted with both: the decision is superseded and says so, the order is off
the courier plan, and its history has the override (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import col

from finalmile.app import Services
from finalmile.audit import AuditEvent
from finalmile.auth import Role, Scope, create_key
from finalmile.cli.demo import demo_messages
from finalmile.config.settings import Settings
from finalmile.courier.day_from_orders import stored_day
from finalmile.courier.plan_store import plan_record
from finalmile.courier.planning_job import plan_day_file, store_plan
from finalmile.main import create_app
from finalmile.orders import Order
from finalmile.routing.travel import HAVERSINE
from finalmile.rules import DecisionRecord, DeliveryType, current_decision
from finalmile_sandbox.server import SandboxServer
from tests.integration.shipments.conftest import carrier_config, labels_by_order, sandbox

__all__ = ["sandbox"]

ORDER = "DEMO-RX-009"
#: 10:00 at the Cambridge pharmacy on the day the demo CSV (not re-dated) needs it by 17:00:
#: only the courier arrives in time, as after `make run` on the day the samples are dated to.
TUESDAY = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)
DAY = TUESDAY.date()
USPS_GROUND = {
    "carrier": "easypost",
    "service": "USPS:GroundAdvantage",
    "options": {"adult_signature": True},
}


@pytest.fixture
def api(settings: Settings, sandbox: SandboxServer) -> Iterator[TestClient]:  # noqa: F811
    """The app deciding from live sandbox rates, with the demo site's courier."""
    live = settings.model_copy(
        update={
            "carriers": carrier_config(sandbox, timeout_seconds=10.0),
            "shipment_lease_seconds": 30.0,
            "quotes": "live",
        }
    )
    with TestClient(create_app(live)) as client:
        services(client).decider.clock = lambda: TUESDAY
        yield client


def services(client: TestClient) -> Services:
    found: Services = client.app.state.services  # type: ignore[attr-defined]
    return found


def key(client: TestClient, *roles: Role, scope: Scope = Scope.ORDERS_WRITE) -> dict[str, str]:
    with services(client).sessions() as session, session.begin():
        issued = create_key(session=session, name="t", scopes=[scope, Scope.ORDERS_READ], roles=roles)
    return {"X-API-Key": issued.token}


def decided_and_planned(client: TestClient) -> tuple[int, int]:
    """DEMO-RX-009 stored from the demo CSV, decided for the courier and planned; the decision's
    and the plan's ids."""
    built = services(client)
    [raw] = demo_messages(".csv", days=0)
    summary = built.files.ingest_csv(io.BytesIO(raw), connector="default", name="demo.csv")
    assert summary.accepted == 2
    built.decider.decide_order(order_id=ORDER, connector="default", actor="test")
    text = stored_day(built.planning, DAY)
    assert text is not None
    outcome = plan_day_file(text, DAY, 0.3, travel_source=HAVERSINE)
    plan_id = store_plan(built.planning, text, DAY, 0.3, outcome, travel_source=HAVERSINE)
    with built.sessions() as session:
        record = _current(session)
        assert ORDER in _stops(plan_record(session=session, plan_id=plan_id))
    assert record.id is not None
    return record.id, plan_id


def _current(session: Any) -> DecisionRecord:
    order = session.scalars(select(Order).where(col(Order.order_id) == ORDER)).one()
    record = current_decision(session=session, order_pk=order.id)
    assert record is not None
    return record


def _stops(plan: dict[str, Any]) -> set[str]:
    routed = {s["order_id"] for r in plan["routes"] for s in r["stops"]}
    return routed | {u["order_id"] for u in plan["unassigned"]}


def test_buying_usps_ground_for_demo_rx_009_needs_a_reason_and_a_pharmacist(
    api: TestClient, sandbox: SandboxServer  # noqa: F811
) -> None:
    decision_id, plan_id = decided_and_planned(api)
    built = services(api)
    with built.sessions() as session:
        decision = built.decider.read(_current(session))
    assert decision["delivery_type"] == DeliveryType.COURIER.value
    removed = "USPS GroundAdvantage (easypost) removed: the site has no pickup set up with usps"
    assert removed in decision["reasons"]  # type: ignore[operator]
    url = f"/orders/{ORDER}/shipments"

    refused = api.post(url, json=USPS_GROUND, headers=key(api, Role.DISPATCHER))
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert error["code"] == "contradicts_decision"
    assert error["location"] == "override_reason"
    assert removed in error["message"] and "Courier" in error["message"]

    reason = {**USPS_GROUND, "override_reason": "courier fleet grounded by snow"}
    forbidden = api.post(url, json=reason, headers=key(api, Role.DISPATCHER))
    assert forbidden.status_code == 403, forbidden.text
    message = forbidden.json()["error"]["message"]
    assert "pharmacist" in message and "refrigerated goods on a ground service" in message
    assert labels_by_order(sandbox) == {}
    with built.sessions() as session:
        assert _current(session).id == decision_id  # nothing stored by the refusals

    pharmacist = key(api, Role.PHARMACIST)
    bought = api.post(url, json=reason, headers=pharmacist)
    assert bought.status_code == 201, bought.text
    assert bought.json()["carrier_account"] == "easypost"
    assert labels_by_order(sandbox) == {ORDER: 1}

    with built.sessions() as session:
        record = _current(session)
        override = built.decider.read(record)
        plan = plan_record(session=session, plan_id=plan_id)
        removals = session.scalars(
            select(AuditEvent).where(
                col(AuditEvent.entity) == "route_plan", col(AuditEvent.action) == "stop_removed"
            )
        ).all()
    assert record.overrides_id == decision_id
    assert record.delivery_type is DeliveryType.CARRIER and record.carrier == "easypost"
    assert override["override"]["role"] == "pharmacist"  # type: ignore[index]
    assert override["override"]["superseded_decision_id"] == decision_id  # type: ignore[index]
    assert ORDER not in _stops(plan)
    assert [(e.entity_id, e.detail["order_id"]) for e in removals] == [(str(plan_id), ORDER)]

    detail = api.get(f"/orders/{ORDER}", headers=pharmacist).json()
    [entry] = [h for h in detail["history"] if h["action"] == "override"]
    assert entry["detail"]["reason"] == "courier fleet grounded by snow"
    assert entry["detail"]["role"] == "pharmacist"
    assert entry["detail"]["superseded_decision_id"] == decision_id
    assert entry["detail"]["delivery_type"] == "carrier"
    assert entry["detail"]["service"] == "USPS:GroundAdvantage"
    assert entry["detail"]["left_route_plans"] == [plan_id]
    assert detail["status"] == "dispatched"
