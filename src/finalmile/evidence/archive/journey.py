"""The journey part of an audit packet: the decision and its overrides, the dispensing pharmacy,
the live shipment and its driver, the billing confirmation; read from the decision, shipment and
courier tables, the site configuration and the order's history."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from finalmile.audit import AuditEvent
from finalmile.courier import CourierAssignment, Driver
from finalmile.evidence.archive.packet import (
    BillingSection,
    DecisionSection,
    OverrideEntry,
    PharmacySection,
    ShipmentSection,
)
from finalmile.orders import BILLING_ACTION, Order
from finalmile.rules import DecisionRecord, SiteConfig, current_decision
from finalmile.shipments import Shipment, is_live

#: The history action of a staff override of the decision.
OVERRIDE_ACTION = "override"


def decision_of(session: Session, order_pk: int) -> DecisionSection | None:
    """The order's current decision, if it has one."""
    record = current_decision(session=session, order_pk=order_pk)
    return None if record is None else _decision(record)


def _decision(record: DecisionRecord) -> DecisionSection:
    assert record.id is not None
    return DecisionSection(
        decision_id=record.id,
        delivery_type=record.delivery_type.value,
        site=record.site,
        carrier=record.carrier,
        service=record.service,
        cost=record.cost,
        rule_set_version=record.rule_set_version,
        decided_at=record.created_at,
    )


def overrides_of(history: Sequence[AuditEvent]) -> tuple[OverrideEntry, ...]:
    """Every override in the order's history, oldest first."""
    entries = []
    for event in history:
        if event.action != OVERRIDE_ACTION:
            continue
        detail = event.detail
        superseded = detail.get("superseded_decision_id")
        entries.append(
            OverrideEntry(
                at=event.at,
                actor=event.actor,
                role=_text(detail.get("role")),
                reason=_text(detail.get("reason")),
                superseded_decision_id=superseded if isinstance(superseded, int) else None,
            )
        )
    return tuple(entries)


def billing_of(order: Order, history: Sequence[AuditEvent]) -> BillingSection:
    """The billing status and the history entry that confirmed it, if any."""
    entry = next((e for e in history if e.action == BILLING_ACTION), None)
    if entry is None:
        return BillingSection(status=order.billing_status.value)
    return BillingSection(
        status=order.billing_status.value,
        confirmed_at=entry.at,
        actor=entry.actor,
        outbox_key=_text(entry.detail.get("outbox")),
    )


def pharmacy_of(
    decision: DecisionSection | None, sites: Mapping[str, SiteConfig]
) -> PharmacySection | None:
    """The decision's site as configured: its name and street address."""
    if decision is None:
        return None
    config = sites.get(decision.site)
    if config is None:
        return PharmacySection(site=decision.site, name=None, address=())
    address = config.address
    lines: tuple[str, ...] = ()
    if address is not None:
        city = " ".join(p for p in (address.city, address.state, address.postal_code) if p)
        lines = tuple(line for line in (address.line1, address.line2, city) if line)
    return PharmacySection(site=config.name, name=config.label or config.name, address=lines)


def shipment_of(session: Session, order_pk: int) -> ShipmentSection | None:
    """The order's live shipment and its courier driver's name, if it has one."""
    found = session.execute(
        select(Shipment, col(Driver.name))
        .outerjoin(CourierAssignment, col(CourierAssignment.shipment_pk) == col(Shipment.id))
        .outerjoin(Driver, col(Driver.id) == col(CourierAssignment.driver_pk))
        .where(
            col(Shipment.order_pk) == order_pk,
            is_live(),
        )
    ).first()
    if found is None:
        return None
    shipment, driver = found
    return ShipmentSection(
        account=shipment.account,
        carrier=shipment.carrier,
        service=shipment.service,
        amount=shipment.amount,
        currency=shipment.currency,
        label_at=shipment.purchased_at,
        tracking_number=shipment.tracking_number,
        driver=driver,
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
