"""The billing trigger: one confirmation per order, with what a claim needs, delivered to the
billing CSV once, whatever is repeated or restarted."""

from __future__ import annotations

import csv
import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from finalmile.app import Services, build_services
from finalmile.billing import BillingRules, confirm_if_ready, confirm_key
from finalmile.carriers.base import ShipmentOptions
from finalmile.config.settings import Settings
from finalmile.db import transaction
from finalmile.orders.models import Order
from finalmile.outbox import OutboxEvent, OutboxStatus
from finalmile.outbox.worker import OutboxWorker
from finalmile.profiles.writeback import BillingPolicy
from finalmile.shipments.store import NewShipment
from finalmile.tracking.models import DeliveryProof

from .conftest import PmsProcess, ingest

SHIPPED = dt.datetime(2026, 11, 22, 3, 30, tzinfo=dt.UTC)  # 22:30 on the 21st in New York
DELIVERED = dt.datetime(2026, 11, 23, 18, 10, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Pod:
    """Delivery evidence as the tracking module reports it."""

    complete: bool
    reference: str = "POD-41"
    delivered_at: dt.datetime = DELIVERED
    shipped_at: dt.datetime | None = SHIPPED
    recipient_relationship: str | None = "spouse"
    temperature_verdict: str | None = None
    temperature_released: bool = False


class Evidence:
    """Evidence per order, settable by the test."""

    def __init__(self) -> None:
        self.by_order: dict[int, Pod] = {}

    def __call__(self, session: Session, order_pk: int) -> Pod | None:
        return self.by_order.get(order_pk)


def _rules(evidence: Evidence, **policy: object) -> BillingRules:
    return BillingRules(evidence=evidence, policies={"pms": BillingPolicy.model_validate(policy)})


def _shipped_order(services: Services) -> int:
    [order_pk] = ingest(services, 1)
    with services.sessions() as session:
        order = session.get(Order, order_pk)
        assert order is not None
        order_id = order.order_id
    services.shipments.store.record_external(
        NewShipment(
            key=uuid.uuid4().hex,
            order_pk=order_pk,
            order_id=order_id,
            account="ups-direct",
            carrier_type="dropship",
            requested_service=None,
            options=ShipmentOptions(),
        ),
        carrier="UPS",
        tracking_number="1ZSYN0000001",
        actor="test",
    )
    return order_pk


def _confirmations(services: Services) -> list[OutboxEvent]:
    with services.sessions() as session:
        statement = select(OutboxEvent).where(col(OutboxEvent.topic) == "order.delivery_confirmed")
        return list(session.scalars(statement))


def test_nothing_until_the_pod_is_complete_then_exactly_one(pms: Services) -> None:
    order_pk = _shipped_order(pms)
    evidence = Evidence()
    rules = _rules(evidence)
    with transaction(pms.sessions) as session:
        assert confirm_if_ready(session, order_pk, rules=rules) is False  # no POD at all
    evidence.by_order[order_pk] = Pod(complete=False)
    with transaction(pms.sessions) as session:
        assert confirm_if_ready(session, order_pk, rules=rules) is False
    assert _confirmations(pms) == []

    evidence.by_order[order_pk] = Pod(complete=True)
    results = []
    for _ in range(3):  # duplicate events call it again
        with transaction(pms.sessions) as session:
            results.append(confirm_if_ready(session, order_pk, rules=rules))
    assert results == [True, False, False]
    [row] = _confirmations(pms)
    assert row.key == confirm_key(order_pk)
    claim = row.payload
    assert claim["rx_number"] == claim["order_id"] == row.order_id
    assert claim["items"][0]["ndc"] and float(claim["items"][0]["quantity"]) > 0
    assert claim["tracking_number"] == "1ZSYN0000001"
    assert claim["carrier"] == "UPS"
    assert claim["pod_reference"] == "POD-41"
    assert claim["recipient_relationship"] == "spouse"
    assert (claim["date_of_service"], claim["date_of_service_basis"]) == ("2026-11-23", "delivered")


def test_date_of_service_can_be_the_ship_date_in_the_pharmacy_zone(pms: Services) -> None:
    order_pk = _shipped_order(pms)
    evidence = Evidence()
    evidence.by_order[order_pk] = Pod(complete=True)
    with transaction(pms.sessions) as session:
        assert confirm_if_ready(
            session, order_pk, rules=_rules(evidence, date_of_service="shipped")
        )
    [row] = _confirmations(pms)
    assert row.payload["date_of_service"] == "2026-11-21"  # New York time
    assert row.payload["date_of_service_basis"] == "shipped"


def test_a_required_temperature_pass_holds_the_confirmation(pms: Services) -> None:
    order_pk = _shipped_order(pms)
    evidence = Evidence()
    rules = _rules(evidence, require_temperature_pass=True)
    for verdict in (None, "excursion", "incomplete"):
        evidence.by_order[order_pk] = Pod(complete=True, temperature_verdict=verdict)
        with transaction(pms.sessions) as session:
            assert confirm_if_ready(session, order_pk, rules=rules) is False
    evidence.by_order[order_pk] = Pod(complete=True, temperature_verdict="pass")
    with transaction(pms.sessions) as session:
        assert confirm_if_ready(session, order_pk, rules=rules) is True
    assert [r.payload["temperature_verdict"] for r in _confirmations(pms)] == ["pass"]


def test_a_released_excursion_counts_as_a_pass_and_is_billed_as_an_excursion(
    pms: Services,
) -> None:
    order_pk = _shipped_order(pms)
    evidence = Evidence()
    rules = _rules(evidence, require_temperature_pass=True)
    evidence.by_order[order_pk] = Pod(
        complete=True, temperature_verdict="excursion", temperature_released=True
    )
    with transaction(pms.sessions) as session:
        assert confirm_if_ready(session, order_pk, rules=rules) is True
    assert [r.payload["temperature_verdict"] for r in _confirmations(pms)] == ["excursion"]


def test_restarts_and_redeliveries_never_bill_twice(
    pms: Services, pms_settings: Settings, fake_pms: PmsProcess
) -> None:
    order_pk = _shipped_order(pms)
    evidence = Evidence()
    evidence.by_order[order_pk] = Pod(complete=True)
    with transaction(pms.sessions) as session:
        assert confirm_if_ready(session, order_pk, rules=_rules(evidence))
    OutboxWorker(pms.outbox, pms.writeback).drain()

    restarted = build_services(pms_settings)  # a new process: same database, fresh objects
    try:
        with transaction(restarted.sessions) as session:
            assert confirm_if_ready(session, order_pk, rules=_rules(evidence)) is False
        [row] = _confirmations(restarted)
        assert row.status is OutboxStatus.DELIVERED
        # A worker that crashed after delivering but before recording delivers again.
        restarted.outbox.replay(int(row.id or 0), now=row.updated_at)
        OutboxWorker(restarted.outbox, restarted.writeback).drain()
    finally:
        restarted.close()

    assert list(fake_pms.accepted()) == [f"pms:{confirm_key(order_pk)}"]
    assert fake_pms.state()["duplicates"] == 1  # recognised by its idempotency key
    folder = Path(pms_settings.config_dir or ".") / "billing"
    [day_file] = folder.glob("billing-*.csv")
    with day_file.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1
    assert rows[0]["pod_reference"] == "POD-41"
    assert rows[0]["tracking_number"] == "1ZSYN0000001"
    with pms.sessions() as session:
        total = session.scalar(select(func.count()).select_from(OutboxEvent))
    assert total == 1


def test_the_service_reads_the_stored_proof_of_delivery(pms: Services) -> None:
    settled = pms.tracking.on_evidence_settled  # what build_services binds to billing
    order_pk = _shipped_order(pms)
    shipment = pms.shipments.store.live_for_order(order_pk)
    assert shipment is not None and shipment.id is not None
    with transaction(pms.sessions) as session:
        proof = DeliveryProof(
            order_pk=order_pk,
            shipment_pk=shipment.id,
            source="carrier",
            carrier="UPS",
            tracking_number="1ZSYN0000001",
            delivered_at=DELIVERED,
            relationship="self",
            created_at=DELIVERED,
            updated_at=DELIVERED,
        )
        session.add(proof)
        session.flush()
        assert settled(session, order_pk) is False  # not stamped complete yet
        proof.complete_at = DELIVERED
        session.flush()
        assert settled(session, order_pk) is True  # the hook build_services binds
    [row] = _confirmations(pms)
    assert row.payload["pod_reference"] == f"POD-{proof.id}"
    assert row.payload["recipient_relationship"] == "self"
    assert row.payload["temperature_verdict"] is None
