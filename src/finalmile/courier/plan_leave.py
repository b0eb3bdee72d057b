"""An order leaves the courier plans in force: its stop is taken off (a staff override sent it
another way), audited on each plan, so the dispatcher sees it in the plan and in its history.

Only a stop no driver has reported on leaves; a visited stop is the day's record. A later re-plan
of the same day leaves the order out too (``rest_of_day``: its current decision is no longer the
courier's).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from finalmile.audit import AuditEvent, audit_row
from finalmile.courier.plan_tables import PlannedStop, RoutePlan

STOP_REMOVED = "stop_removed"


def leave_plans(session: Session, *, order_id: str, actor: str, reason: str) -> list[int]:
    """Take ``order_id``'s unreported stop off every plan not superseded; the plans' ids.

    Each removal is a ``route_plan`` audit event (action ``stop_removed``) with the order id,
    whether it was routed and the ``reason`` (plain words, no patient data). The caller commits.
    """
    stops = session.scalars(
        select(PlannedStop)
        .join(RoutePlan, col(RoutePlan.id) == col(PlannedStop.plan_id))
        .where(
            col(PlannedStop.order_id) == order_id,
            col(RoutePlan.superseded_at).is_(None),
            col(PlannedStop.reported).is_(None),
        )
        .order_by(col(PlannedStop.plan_id))
        .with_for_update(of=PlannedStop)
    ).all()
    left = []
    for stop in stops:
        session.delete(stop)
        detail = {"order_id": order_id, "routed": stop.route_id is not None, "reason": reason}
        event = audit_row(
            entity="route_plan",
            entity_id=stop.plan_id,
            action=STOP_REMOVED,
            actor=actor,
            detail=detail,
        )
        session.add(AuditEvent(**event))
        left.append(stop.plan_id)
    session.flush()
    return left
