"""The audit packet shows the order's true status and billing, its decision with the rule-set
version, overrides from the history, the dispensing pharmacy, the live shipment's service, cost
and label time, the driver's name and the billing confirmation (JSON index and PDF)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from fastapi.testclient import TestClient

from finalmile.app import Services
from finalmile.audit import AuditEvent, audit_row
from finalmile.orders import OrderStatus
from finalmile.rules import DeliveryType
from tests.integration.evidence.conftest import store_order
from tests.integration.evidence.test_archive import pdf_text
from tests.integration.worklist.journeys import Journey, build

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def courier_journey() -> Journey:
    return Journey(
        301,
        NOW - dt.timedelta(hours=2),
        "demo",
        DeliveryType.COURIER,
        NOW - dt.timedelta(hours=8),
        carrier="courier",
        account="fleet",
        service="same_day",
        cost=Decimal("31.50"),
        amount=Decimal("29.00"),
        shipped_at=NOW - dt.timedelta(hours=7),
        steps=[(OrderStatus.DELIVERED, NOW - dt.timedelta(hours=3))],
        billed_at=NOW - dt.timedelta(hours=1),
        driver=("d1", "Dana Driver"),
        rule_set_version=4,
        superseded_type=DeliveryType.CARRIER,
    )


def test_the_packet_shows_the_dispatch_and_billing(
    client: TestClient, app_services: Services, headers: dict[str, str]
) -> None:
    journey = courier_journey()
    order_pk = build(app_services, journey)
    with app_services.sessions() as session, session.begin():
        detail = {
            "reason": "cold chain kept by courier",
            "role": "pharmacist",
            "superseded_decision_id": 1,
        }
        session.add(
            AuditEvent(
                **audit_row(
                    entity="order",
                    entity_id=order_pk,
                    action="override",
                    actor="key:Ab12Cd34",
                    detail=detail,
                    at=NOW - dt.timedelta(hours=7, minutes=30),
                )
            )
        )
    index = client.get(f"/orders/{journey.order_id}/archive", headers=headers)
    assert index.status_code == 200, index.text
    body = index.json()
    assert body["status"] == "delivered"
    assert body["billing"]["status"] == "confirmed"
    assert body["billing"]["outbox_key"] == f"delivery_confirmed:{order_pk}"
    decision = body["decision"]
    assert (decision["delivery_type"], decision["rule_set_version"]) == ("courier", 4)
    assert decision["decision_id"] == 2  # the newest of its two decisions
    (override,) = body["overrides"]
    assert override["role"] == "pharmacist" and override["superseded_decision_id"] == 1
    assert body["pharmacy"] == {
        "site": "demo",
        "name": "Demo Specialty Pharmacy, Cambridge MA",
        "address": ["100 Example Street", "Cambridge MA 02139"],
    }
    shipment = body["shipment"]
    assert Decimal(shipment["amount"]) == Decimal("29.00") and shipment["driver"] == "Dana Driver"
    assert dt.datetime.fromisoformat(shipment["label_at"]) == journey.shipped_at
    assert "Testpatient" not in index.text  # the index still carries no patient data
    pdf = client.get(f"/orders/{journey.order_id}/archive.pdf", headers=headers)
    flat = " ".join(pdf_text(pdf.content).split())
    assert "Status delivered" in flat and "Billing status confirmed" in flat
    assert "Dispensing pharmacy Demo Specialty Pharmacy, Cambridge MA" in flat
    assert "Rule set demo version 4" in flat
    assert "cold chain kept by courier" in flat
    assert "Service courier same_day (account fleet)" in flat
    assert "Shipping cost 29.00 USD" in flat and "Driver Dana Driver" in flat
    assert f"(outbox delivery_confirmed:{order_pk})" in flat


def test_an_undecided_order_says_so(
    client: TestClient, app_services: Services, headers: dict[str, str]
) -> None:
    order = store_order(app_services, 302)
    body = client.get(f"/orders/{order.order_id}/archive", headers=headers).json()
    assert body["decision"] is None and body["shipment"] is None and body["overrides"] == []
    assert body["billing"] == {
        "status": "not_ready",
        "confirmed_at": None,
        "actor": None,
        "outbox_key": None,
    }
    pdf = client.get(f"/orders/{order.order_id}/archive.pdf", headers=headers)
    flat = " ".join(pdf_text(pdf.content).split())
    assert "Decision none yet" in flat and "Billing confirmation not issued" in flat
