"""How long an order's evidence is kept, and which orders are past it.

The clock starts at delivery (the earliest proof of delivery), else at the order's last change
(orders never delivered: cancelled, lost). Evidence is kept ``FINALMILE_ARCHIVE_RETENTION_YEARS``
(default 10) from then, to the same calendar day in the pharmacy's time zone; listing is all this
module decides (``finalmile archive purge`` deletes, see ``purge.py``): nothing within retention
is ever listed, nor an order whose evidence was purged already (an ``audit_event`` says so). A
listed order under legal hold says since when (``holds.py``); purge keeps it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, String, Subquery, cast, func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from finalmile.audit import AuditEvent, audit_row
from finalmile.evidence.archive.models import LegalHold
from finalmile.evidence.archive.packet import Retention
from finalmile.orders import Order
from finalmile.tracking import DeliveryProof

DELIVERED = "delivery"
LAST_CHANGE = "last change"
#: The audit action (entity ``order``, id the order's primary key) of a purge.
PURGED = "evidence_purged"
ORDER_ENTITY = "order"


@dataclass(frozen=True)
class PastRetention:
    """An order whose evidence is past its retention period; ``held_since`` if on legal hold."""

    order_id: str
    connector: str
    retention: Retention
    held_since: dt.datetime | None = None


def retain_until(since: dt.datetime, years: int, zone: dt.tzinfo) -> dt.date:
    """The last day of retention: ``years`` after ``since``'s date (29 February -> 28th)."""
    day = since.astimezone(zone).date()
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def purged_order_pks() -> Select[str]:
    """The audit ``entity_id`` (the order's primary key as text) of every purged order."""
    return select(col(AuditEvent.entity_id)).where(
        col(AuditEvent.entity) == ORDER_ENTITY, col(AuditEvent.action) == PURGED
    )


def retention_of(session: Session, order: Order, *, years: int, zone: dt.tzinfo) -> Retention:
    """The retention of one order's evidence, with when it was purged (if it was)."""
    assert order.id is not None
    delivered = session.scalar(
        select(func.min(DeliveryProof.delivered_at)).where(col(DeliveryProof.order_pk) == order.id)
    )
    return retention_from(
        order, delivered, years=years, zone=zone, purged=purged_at(session, order.id)
    )


def retention_from(
    order: Order,
    delivered_at: dt.datetime | None,
    *,
    years: int,
    zone: dt.tzinfo,
    purged: dt.datetime | None = None,
) -> Retention:
    """The retention of ``order``'s evidence given its first delivery (``None``: never
    delivered, so the clock starts at its last change)."""
    basis, since = (
        (DELIVERED, delivered_at) if delivered_at is not None else (LAST_CHANGE, order.updated_at)
    )
    return Retention(basis, since, years, retain_until(since, years, zone), purged)


def first_deliveries() -> Subquery:
    """``order_pk`` and ``delivered_at``: each delivered order's earliest proof of delivery."""
    return (
        select(
            col(DeliveryProof.order_pk).label("order_pk"),
            func.min(DeliveryProof.delivered_at).label("delivered_at"),
        )
        .group_by(col(DeliveryProof.order_pk))
        .subquery()
    )


def purges() -> Subquery:
    """``order_key`` (the order's primary key as text) and ``purged_at`` of each purged order."""
    return (
        select(
            col(AuditEvent.entity_id).label("order_key"),
            func.min(AuditEvent.at).label("purged_at"),
        )
        .where(col(AuditEvent.entity) == ORDER_ENTITY, col(AuditEvent.action) == PURGED)
        .group_by(col(AuditEvent.entity_id))
        .subquery()
    )


def record_order_event(
    session: Session,
    *,
    order_pk: int,
    action: str,
    actor: str,
    detail: dict[str, Any],
    at: dt.datetime,
) -> None:
    """Add an archive ``audit_event`` for the order (``detail`` must hold no patient data)."""
    session.add(
        AuditEvent(
            **audit_row(
                entity=ORDER_ENTITY,
                entity_id=order_pk,
                action=action,
                actor=actor,
                detail=detail,
                at=at,
            )
        )
    )


def purged_at(session: Session, order_pk: int) -> dt.datetime | None:
    """When the order's evidence was purged, or ``None``."""
    return session.scalar(
        select(func.min(AuditEvent.at)).where(
            col(AuditEvent.entity) == ORDER_ENTITY,
            col(AuditEvent.entity_id) == str(order_pk),
            col(AuditEvent.action) == PURGED,
        )
    )


def past_retention(
    session: Session, *, years: int, today: dt.date, zone: dt.tzinfo
) -> list[PastRetention]:
    """Orders whose retention ended before ``today`` and whose evidence is not purged yet,
    oldest first."""
    delivered = first_deliveries()
    # Past retention iff the clock started before this day `years` ago (a generous bound in SQL,
    # made exact per row below with the calendar rule of retain_until).
    first_kept = _years_before(today, years)
    cutoff = dt.datetime.combine(first_kept + dt.timedelta(days=1), dt.time(), zone)
    since = func.coalesce(delivered.c.delivered_at, Order.updated_at)
    rows = session.execute(
        select(Order, delivered.c.delivered_at, col(LegalHold.placed_at))
        .outerjoin(delivered, delivered.c.order_pk == Order.id)
        .outerjoin(
            LegalHold,
            (col(LegalHold.order_pk) == Order.id) & col(LegalHold.released_at).is_(None),
        )
        .where(since < cutoff, cast(col(Order.id), String).not_in(purged_order_pks()))
        .order_by(since, col(Order.id))
    )
    found = []
    for order, delivered_at, held_since in rows:
        retention = retention_from(order, delivered_at, years=years, zone=zone)
        if retention.until < today:
            found.append(PastRetention(order.order_id, order.connector, retention, held_since))
    return found


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)
