"""What is wrong right now: for each kind of exception, the orders it applies to and why.

Each finder is one query over the records other domains keep (order status, decisions, the live
shipment's tracking, proofs of delivery, temperature verdicts, the outbox); the reasons are plain
words with no patient data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session
from sqlmodel import col

from finalmile.audit import AuditEvent
from finalmile.evidence import TemperatureEvaluationRow, Verdict
from finalmile.exceptions.models import ExceptionKind
from finalmile.exceptions.wording import hold_reason
from finalmile.orders import Order, OrderStatus, is_active
from finalmile.outbox import OutboxEvent, OutboxStatus
from finalmile.rules import current_decision, held_choices
from finalmile.shipments import Shipment, ShipmentState
from finalmile.tracking import DeliveryProof, TrackingState
from finalmile.vault import Vault

#: The history action a pharmacist's disposition of an excursion records.
DISPOSITION_ACTION = "disposition"
_UNDELIVERED = (OrderStatus.DELIVERED, OrderStatus.RETURNED, OrderStatus.CANCELLED)
_MOVING = (OrderStatus.DISPATCHED, OrderStatus.IN_TRANSIT, OrderStatus.OUT_FOR_DELIVERY)
_OVER = ("returned", "cancelled")

Found = Iterator[tuple[int, str]]


@dataclass(frozen=True)
class Thresholds:
    """How long before a quiet shipment is stalled and an incomplete POD is an exception."""

    stalled_after: dt.timedelta
    pod_grace: dt.timedelta


def find(
    session: Session, *, now: dt.datetime, thresholds: Thresholds, vault: Vault
) -> dict[tuple[int, ExceptionKind], str]:
    """Every open problem: (order pk, kind) -> reason."""
    finders: dict[ExceptionKind, Callable[[], Found]] = {
        ExceptionKind.HELD: lambda: _held(session, vault),
        ExceptionKind.LATE: lambda: _late(session, now),
        ExceptionKind.STALLED: lambda: _stalled(session, now, thresholds.stalled_after),
        ExceptionKind.FAILED_ATTEMPT: lambda: _in_status(
            session, OrderStatus.FAILED_ATTEMPT, "a delivery attempt failed"
        ),
        ExceptionKind.RETURNED: lambda: _in_status(
            session, OrderStatus.RETURNED, "the package was returned to the pharmacy"
        ),
        ExceptionKind.EXCURSION: lambda: _excursions(session),
        ExceptionKind.POD_INCOMPLETE: lambda: _pod_incomplete(session, now, thresholds.pod_grace),
        ExceptionKind.WRITEBACK_DEAD: lambda: _dead_writebacks(session),
        ExceptionKind.CANCELLED_AFTER_DISPATCH: lambda: _cancelled_live(session),
    }
    return {
        (order_pk, kind): reason[:300]
        for kind, finder in finders.items()
        for order_pk, reason in finder()
    }


def _held(session: Session, vault: Vault) -> Found:
    for order in session.scalars(select(Order).where(col(Order.status) == OrderStatus.HELD)):
        assert order.id is not None
        record = current_decision(session=session, order_pk=order.id)
        if record is None:
            continue
        yield order.id, hold_reason(vault, record, held_choices(record, vault))


def _late(session: Session, now: dt.datetime) -> Found:
    statement = select(Order).where(
        is_active(),
        col(Order.needed_by) < now,
        col(Order.status).not_in([s.value for s in _UNDELIVERED]),
    )
    for order in session.scalars(statement):
        assert order.id is not None and order.needed_by is not None
        passed = order.needed_by.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        yield order.id, f"needed by {passed}, not delivered (the order is {order.status.value})"


def _stalled(session: Session, now: dt.datetime, after: dt.timedelta) -> Found:
    statement = (
        select(Order, col(TrackingState.last_event_at))
        .outerjoin(
            Shipment,
            and_(
                col(Shipment.order_pk) == col(Order.id),
                col(Shipment.state) == ShipmentState.PURCHASED.value,
            ),
        )
        .outerjoin(TrackingState, col(TrackingState.shipment_pk) == col(Shipment.id))
        .where(col(Order.status).in_([s.value for s in _MOVING]))
    )
    hours = round(after.total_seconds() / 3600, 1)
    for order, last_event_at in session.execute(statement):
        assert order.id is not None
        known = [t for t in (order.status_at, last_event_at) if t is not None]
        if known and max(known) <= now - after:
            yield (
                order.id,
                f"{order.status.value} with no carrier or driver event for {hours:g} hours",
            )


def _in_status(session: Session, status: OrderStatus, reason: str) -> Found:
    for order in session.scalars(select(Order).where(col(Order.status) == status)):
        assert order.id is not None
        yield order.id, reason


def _excursions(session: Session) -> Found:
    newest = (
        select(
            col(TemperatureEvaluationRow.order_pk).label("order_pk"),
            func.max(col(TemperatureEvaluationRow.id)).label("id"),
        )
        .group_by(col(TemperatureEvaluationRow.order_pk))
        .subquery()
    )
    statement = (
        select(TemperatureEvaluationRow)
        .join(newest, col(TemperatureEvaluationRow.id) == newest.c.id)
        .join(Order, col(Order.id) == col(TemperatureEvaluationRow.order_pk))
        .where(col(TemperatureEvaluationRow.verdict) == Verdict.EXCURSION.value, is_active())
    )
    for row in session.scalars(statement):
        disposed = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                col(AuditEvent.entity) == "order",
                col(AuditEvent.entity_id) == str(row.order_pk),
                col(AuditEvent.action) == DISPOSITION_ACTION,
                col(AuditEvent.at) > row.evaluated_at,
            )
        )
        if not disposed:
            yield row.order_pk, "temperature excursion: a pharmacist must decide what to do"


def _pod_incomplete(session: Session, now: dt.datetime, grace: dt.timedelta) -> Found:
    newest = (
        select(
            col(DeliveryProof.order_pk).label("order_pk"),
            func.max(col(DeliveryProof.id)).label("id"),
        )
        .group_by(col(DeliveryProof.order_pk))
        .subquery()
    )
    statement = (
        select(Order, DeliveryProof)
        .outerjoin(newest, newest.c.order_pk == col(Order.id))
        .outerjoin(DeliveryProof, col(DeliveryProof.id) == newest.c.id)
        .where(col(Order.status) == OrderStatus.DELIVERED.value)
    )
    hours = round(grace.total_seconds() / 3600, 1)
    for order, proof in session.execute(statement):
        assert order.id is not None
        if proof is not None and proof.complete_at is not None:
            continue
        delivered_at = proof.delivered_at if proof is not None else order.status_at
        if delivered_at is None or delivered_at <= now - grace:
            yield order.id, f"delivered over {hours:g} hours ago; proof of delivery incomplete"


def _dead_writebacks(session: Session) -> Found:
    """Dead rows, and rows restarted since (retry, replay) that are not delivered yet."""
    restarted = and_(
        col(OutboxEvent.status) == OutboxStatus.PENDING.value,
        col(OutboxEvent.budget_started_at) > col(OutboxEvent.created_at),
    )
    statement = (
        select(col(Order.id), col(OutboxEvent.topic), col(OutboxEvent.status))
        .join(
            Order,
            and_(
                col(Order.connector) == col(OutboxEvent.connector),
                col(Order.order_id) == col(OutboxEvent.order_id),
            ),
        )
        .where(or_(col(OutboxEvent.status) == OutboxStatus.DEAD.value, restarted))
        .order_by(col(OutboxEvent.id))
    )
    dead: dict[int | None, list[str]] = {}
    waiting: dict[int | None, list[str]] = {}
    for order_pk, topic, status in session.execute(statement):
        (dead if status is OutboxStatus.DEAD else waiting).setdefault(order_pk, []).append(topic)
    for order_pk in dict.fromkeys([*dead, *waiting]):
        assert order_pk is not None
        if order_pk in dead:
            names = ", ".join(dict.fromkeys(dead[order_pk]))
            yield order_pk, f"write-back to the PMS dead-lettered: {names}"
        else:
            names = ", ".join(dict.fromkeys(waiting[order_pk]))
            yield order_pk, f"write-back to the PMS replayed, not delivered yet: {names}"


def _cancelled_live(session: Session) -> Found:
    statement = (
        select(col(Shipment.order_pk), col(TrackingState.status))
        .select_from(Order)
        .join(Shipment, col(Shipment.order_pk) == col(Order.id))
        .outerjoin(TrackingState, col(TrackingState.shipment_pk) == col(Shipment.id))
        .where(
            col(Order.status) == OrderStatus.CANCELLED.value,
            col(Shipment.state) == ShipmentState.PURCHASED.value,
        )
    )
    for order_pk, status in session.execute(statement):
        if status is None or status.value not in _OVER:
            yield order_pk, "cancelled while a label or courier job is live: stop the package"
