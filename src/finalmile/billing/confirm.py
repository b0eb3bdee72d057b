"""The billing trigger: one ``order.delivery_confirmed`` outbox row per order, once it is proven.

``confirm_if_ready`` runs inside the transaction that completed the proof of delivery (or recorded
a passing temperature log, or a pharmacist released an excursion), so the confirmation is written
exactly when the evidence commits. Its outbox key is ``delivery_confirmed:<order pk>``: calling it
again (duplicate events, retries, restarts, a second worker) writes nothing more, and every
write-back target receives the same idempotency key however often the row is retried or replayed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from finalmile.billing.evidence import DeliveryEvidence, EvidenceSource
from finalmile.errors import NotFoundError
from finalmile.orders import Order, OrderItem, confirm_billing
from finalmile.outbox import ClaimItem, DeliveryConfirmedPayload, Topic, enqueue
from finalmile.profiles import BillingPolicy
from finalmile.shipments import LIVE_STATES, Shipment

log = structlog.get_logger(__name__)

#: Who confirms billing: the trigger itself, once the evidence is complete.
BILLING_ACTOR = "system:billing"


@dataclass(frozen=True)
class BillingRules:
    """Per-connector billing policy and time zone, and where delivery evidence is read."""

    evidence: EvidenceSource
    policies: Mapping[str, BillingPolicy] = field(default_factory=dict)
    timezones: Mapping[str, ZoneInfo] = field(default_factory=dict)
    default_timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("America/New_York"))


def confirm_key(order_pk: int) -> str:
    """The outbox key of an order's billing confirmation."""
    return f"delivery_confirmed:{order_pk}"


def confirm_if_ready(session: Session, order_pk: int, *, rules: BillingRules) -> bool:
    """Enqueue the order's delivery confirmation if its POD is complete (and, where the connector
    requires it, its temperature log passed). True only when this call wrote it.

    Raises:
        NotFoundError: no such order.
    """
    order = session.get(Order, order_pk)
    if order is None:
        raise NotFoundError(f"no order with pk {order_pk}")
    evidence = rules.evidence(session, order_pk)
    policy = rules.policies.get(order.connector) or BillingPolicy()
    if evidence is None or not evidence.complete:
        return False
    passed = evidence.temperature_verdict == "pass" or evidence.temperature_released
    if policy.require_temperature_pass and not passed:
        log.info(
            "billing_waits_for_temperature",
            order_id=order.order_id,
            verdict=evidence.temperature_verdict,
        )
        return False
    zone = rules.timezones.get(order.connector, rules.default_timezone)
    payload = _claim(session, order, evidence, policy, zone)
    written = enqueue(
        session,
        topic=Topic.DELIVERY_CONFIRMED,
        key=confirm_key(order_pk),
        connector=order.connector,
        payload=payload,
    )
    if written:
        confirm_billing(
            session, order, actor=BILLING_ACTOR, evidence={"outbox": confirm_key(order_pk)}
        )
        log.info("billing_confirmation_enqueued", order_id=order.order_id)
    return written


def _claim(
    session: Session,
    order: Order,
    evidence: DeliveryEvidence,
    policy: BillingPolicy,
    zone: ZoneInfo,
) -> DeliveryConfirmedPayload:
    assert order.id is not None
    items = session.scalars(
        select(OrderItem).where(col(OrderItem.order_pk) == order.id).order_by(col(OrderItem.line))
    )
    shipment = session.scalars(
        select(Shipment).where(
            col(Shipment.order_pk) == order.id,
            col(Shipment.state).in_([s.value for s in LIVE_STATES]),
        )
    ).first()
    shipped_at = evidence.shipped_at or (shipment.purchased_at if shipment else None)
    basis = policy.date_of_service
    service_at: dt.datetime = evidence.delivered_at
    if basis == "shipped" and shipped_at is not None:
        service_at = shipped_at
    else:
        basis = "delivered"  # the ship date is unknown: bill the date we can prove
    return DeliveryConfirmedPayload(
        order_id=order.order_id,
        order_pk=order.id,
        rx_number=order.order_id,
        items=tuple(
            ClaimItem(
                ndc=item.ndc,
                description=item.description,
                quantity=item.quantity,
                unit=item.unit,
            )
            for item in items
        ),
        date_of_service=service_at.astimezone(zone).date(),
        date_of_service_basis=basis,
        shipped_at=shipped_at,
        delivered_at=evidence.delivered_at,
        carrier=shipment.carrier if shipment else None,
        service=shipment.service if shipment else None,
        tracking_number=shipment.tracking_number if shipment else None,
        pod_reference=evidence.reference,
        recipient_relationship=evidence.recipient_relationship,
        temperature_verdict=evidence.temperature_verdict,
    )
