"""The issue's scenario: DEMO-RX-009 (refrigerated, signature requested, a few blocks from the
pharmacy) is decided for the courier from live sandbox rates, USPS removed because the site has
no USPS pickup, and planned on the courier day. Staff then buy USPS Ground Advantage: refused
without a reason, refused with one but without the pharmacist role (refrigerated goods on a
ground service), accepted with both: the decision is superseded and says so, the order is off
the courier plan, and its history has the override (SQLite and PostgreSQL)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import col

from finalmile.audit import AuditEvent
from finalmile.auth import Role
from finalmile.courier.plan_store import plan_record
from finalmile.rules import DeliveryType
from finalmile_sandbox.server import SandboxServer
from tests.integration.overrides.conftest import (
    ORDER,
    USPS_GROUND,
    current,
    decided_and_planned,
    key,
    services,
    stops,
)
from tests.integration.shipments.conftest import labels_by_order


def test_buying_usps_ground_for_demo_rx_009_needs_a_reason_and_a_pharmacist(
    api: TestClient, sandbox: SandboxServer
) -> None:
    decision_id, plan_id = decided_and_planned(api)
    built = services(api)
    with built.sessions() as session:
        decision = built.decider.read(current(session))
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
        assert current(session).id == decision_id  # nothing stored by the refusals

    pharmacist = key(api, Role.PHARMACIST)
    bought = api.post(url, json=reason, headers=pharmacist)
    assert bought.status_code == 201, bought.text
    assert bought.json()["carrier_account"] == "easypost"
    assert labels_by_order(sandbox) == {ORDER: 1}

    with built.sessions() as session:
        record = current(session)
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
    assert ORDER not in stops(plan)
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
