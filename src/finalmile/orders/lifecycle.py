"""One order status for every delivery type, stored with each change and one history entry per
transition.

The domain that learns something moves the order (``move``): intake (``received``,
``cancelled``), the decision (``held``, ``ready``), the purchase or courier job (``dispatched``),
tracking from carrier scans and driver reports (``in_transit``, ``out_for_delivery``,
``delivered``, ``failed_attempt``, ``returned``), and the billing trigger (``billing_status``
``confirmed``). Each transition is an ``order`` audit event with action ``status`` (or
``billing``): who or what caused it, when, why in plain words and which evidence (ids, never
patient data).

``cancelled`` is final: later evidence about the parcel is still recorded by its domain, but the
order stays cancelled.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session
from sqlmodel import col

from finalmile.audit import AuditEvent, audit_row
from finalmile.db_types import utcnow
from finalmile.orders.models import BillingStatus, Order, OrderStatus

#: Decided or waiting for a decision, nothing bought or assigned yet.
UNDISPATCHED = frozenset({OrderStatus.RECEIVED, OrderStatus.HELD, OrderStatus.READY})
#: A label or courier job exists for the order's current journey.
DISPATCHED = frozenset(
    {
        OrderStatus.DISPATCHED,
        OrderStatus.IN_TRANSIT,
        OrderStatus.OUT_FOR_DELIVERY,
        OrderStatus.FAILED_ATTEMPT,
    }
)
#: The journey ended (a new one starts only by an action: reship, reattempt).
FINISHED = frozenset({OrderStatus.DELIVERED, OrderStatus.RETURNED, OrderStatus.CANCELLED})

STATUS_ACTION = "status"
BILLING_ACTION = "billing"


def is_active() -> ColumnElement[bool]:
    """SQL condition: the order is not cancelled."""
    return col(Order.status) != OrderStatus.CANCELLED.value


def move(
    session: Session,
    order: Order,
    to: OrderStatus,
    *,
    actor: str,
    reason: str,
    evidence: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> bool:
    """Move ``order`` to ``to`` and record the transition; False when nothing changed (already
    there, or the order is cancelled).

    ``reason`` is plain words without patient data; ``evidence`` names the records that prove it
    (decision, shipment, tracking event, proof ids).
    """
    previous = order.status
    if previous is to or previous is OrderStatus.CANCELLED:
        return False
    when = at or utcnow()
    order.status = to
    order.status_at = when
    order.updated_at = max(order.updated_at, when) if order.updated_at else when
    session.add(order)
    assert order.id is not None
    event = audit_row(
        entity="order",
        entity_id=order.id,
        action=STATUS_ACTION,
        actor=actor,
        from_status=previous.value,
        to_status=to.value,
        detail={"reason": reason, **(evidence or {})},
        at=when,
    )
    session.add(AuditEvent(**event))
    session.flush()
    return True


def confirm_billing(
    session: Session,
    order: Order,
    *,
    actor: str,
    evidence: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> bool:
    """Mark the order's delivery confirmation issued; False when it already was."""
    if order.billing_status is BillingStatus.CONFIRMED:
        return False
    when = at or utcnow()
    order.billing_status = BillingStatus.CONFIRMED
    session.add(order)
    assert order.id is not None
    event = audit_row(
        entity="order",
        entity_id=order.id,
        action=BILLING_ACTION,
        actor=actor,
        from_status=BillingStatus.NOT_READY.value,
        to_status=BillingStatus.CONFIRMED.value,
        detail={"reason": "delivery confirmation issued to the PMS", **(evidence or {})},
        at=when,
    )
    session.add(AuditEvent(**event))
    session.flush()
    return True
