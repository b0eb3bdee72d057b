"""What the delivery report reads: per order its day, group and journey, and the exceptions
opened or resolved in the period.

Read in a few set-based queries (orders with their current decision and live shipment; the
history entries that matter; temperature verdicts; exception rows), never one query per order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session
from sqlmodel import col

from finalmile.audit import AuditEvent
from finalmile.evidence.temperature import Verdict, verdicts_of
from finalmile.exceptions import OrderException
from finalmile.orders import BILLING_ACTION, STATUS_ACTION, BillingStatus, Order, OrderStatus
from finalmile.rules import DecisionRecord
from finalmile.shipments import Shipment
from finalmile.worklist import with_journey

#: Ids per ``IN (...)`` list: well under every backend's bound-parameter limit.
CHUNK = 500


@dataclass(frozen=True)
class Group:
    """What a report row is about: a day at a site, one delivery type and carrier."""

    day: dt.date
    site: str | None
    delivery_type: str | None
    carrier: str | None


@dataclass
class OrderFacts:
    """One order as the report counts it."""

    pk: int
    group: Group
    needed_by: dt.datetime | None
    status: OrderStatus
    cost: Decimal | None
    delivered_at: dt.datetime | None = None
    failed_attempt: bool = False
    billed_at: dt.datetime | None = None
    excursion: bool | None = None  # None: no temperature log


@dataclass(frozen=True)
class ExceptionFacts:
    """An exception row: when it opened and, if it did, when it was resolved."""

    order_pk: int
    opened_at: dt.datetime
    resolved_at: dt.datetime | None


@dataclass(frozen=True)
class Zones:
    """Each site's time zone, and the one for orders not decided yet."""

    default: ZoneInfo
    sites: Mapping[str, ZoneInfo]

    def of(self, site: str | None) -> ZoneInfo:
        """The time zone of ``site`` (the default one for none or an unknown site)."""
        return self.sites.get(site, self.default) if site is not None else self.default


def orders_between(
    session: Session, lo: dt.datetime, hi: dt.datetime, zones: Zones
) -> list[OrderFacts]:
    """Orders needed by (or, without a needed-by, received) in [lo, hi), with their journey."""
    window = or_(
        and_(
            col(Order.needed_by).is_not(None),
            col(Order.needed_by) >= lo,
            col(Order.needed_by) < hi,
        ),
        and_(
            col(Order.needed_by).is_(None), col(Order.created_at) >= lo, col(Order.created_at) < hi
        ),
    )
    facts = _orders(session, window, zones)
    _journeys(session, facts)
    return facts


def orders_by_pk(session: Session, pks: Sequence[int], zones: Zones) -> list[OrderFacts]:
    """The group of each order in ``pks`` (journeys not read)."""
    found: list[OrderFacts] = []
    for chunk in _chunks(sorted(set(pks))):
        found.extend(_orders(session, col(Order.id).in_(chunk), zones))
    return found


def exceptions_between(session: Session, lo: dt.datetime, hi: dt.datetime) -> list[ExceptionFacts]:
    """Exception rows opened or resolved in [lo, hi)."""
    rows = session.execute(
        select(
            col(OrderException.order_pk),
            col(OrderException.opened_at),
            col(OrderException.resolved_at),
        ).where(
            or_(
                and_(col(OrderException.opened_at) >= lo, col(OrderException.opened_at) < hi),
                and_(col(OrderException.resolved_at) >= lo, col(OrderException.resolved_at) < hi),
            )
        )
    )
    return [ExceptionFacts(*row) for row in rows]


def _orders(session: Session, where: ColumnElement[bool], zones: Zones) -> list[OrderFacts]:
    columns = select(
        col(Order.id),
        col(Order.needed_by),
        col(Order.created_at),
        col(Order.status),
        col(DecisionRecord.site),
        col(DecisionRecord.delivery_type),
        col(DecisionRecord.carrier),
        col(DecisionRecord.cost),
        col(Shipment.carrier),
        col(Shipment.amount),
    )
    statement = with_journey(columns).where(where)
    facts = []
    for row in session.execute(statement):
        pk, needed_by, created_at, status, site, kind, decided_carrier, decided_cost = row[:8]
        shipped_carrier, amount = row[8:]
        day = (needed_by or created_at).astimezone(zones.of(site)).date()
        group = Group(
            day, site, kind.value if kind is not None else None, shipped_carrier or decided_carrier
        )
        cost = amount if amount is not None else decided_cost
        assert pk is not None
        facts.append(OrderFacts(pk, group, needed_by, OrderStatus(status), cost))
    return facts


def _journeys(session: Session, facts: list[OrderFacts]) -> None:
    """Fill each order's delivery, failed attempts, billing confirmation and temperature."""
    by_pk = {f.pk: f for f in facts}
    for chunk in _chunks(sorted(by_pk)):
        for event in _history(session, chunk):
            fact = by_pk[int(event.entity_id)]
            if event.action == BILLING_ACTION and event.to_status == BillingStatus.CONFIRMED:
                fact.billed_at = fact.billed_at or event.at
            elif event.to_status == OrderStatus.DELIVERED:
                fact.delivered_at = event.at  # the last delivery counts
            elif event.to_status == OrderStatus.FAILED_ATTEMPT:
                fact.failed_attempt = True
        for pk, verdict in verdicts_of(session, chunk).items():
            by_pk[pk].excursion = verdict is Verdict.EXCURSION


def _history(session: Session, pks: Sequence[int]) -> Iterator[AuditEvent]:
    wanted = [OrderStatus.DELIVERED.value, OrderStatus.FAILED_ATTEMPT.value]
    statement = (
        select(AuditEvent)
        .where(
            col(AuditEvent.entity) == "order",
            col(AuditEvent.entity_id).in_([str(pk) for pk in pks]),
            or_(
                and_(
                    col(AuditEvent.action) == STATUS_ACTION, col(AuditEvent.to_status).in_(wanted)
                ),
                col(AuditEvent.action) == BILLING_ACTION,
            ),
        )
        .order_by(col(AuditEvent.id))
    )
    yield from session.scalars(statement)


def _chunks(pks: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(pks), CHUNK):
        yield pks[start : start + CHUNK]
