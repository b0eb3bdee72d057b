"""How every action on an order is recorded: one history entry (who, in which role, why, and
what else the action names) and the open exceptions it answers resolved in its name."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from sqlalchemy.orm import Session

from finalmile.audit import AuditEvent, audit_row
from finalmile.exceptions.catalog import REMEDIES, Action, Actor
from finalmile.exceptions.models import ExceptionKind
from finalmile.exceptions.sync import resolve
from finalmile.orders import Order


def record_action(
    session: Session,
    order: Order,
    action: Action,
    actor: Actor,
    *,
    now: dt.datetime,
    extra: dict[str, Any] | None = None,
) -> None:
    """One order history entry for ``action`` (the order's status stays as it is)."""
    assert order.id is not None
    event = audit_row(
        entity="order",
        entity_id=order.id,
        action=action.value,
        actor=actor.name,
        from_status=order.status.value,
        to_status=order.status.value,
        detail={"role": actor.role.value, "reason": actor.reason, **(extra or {})},
        at=now,
    )
    session.add(AuditEvent(**event))


def resolve_answered(
    session: Session,
    order: Order,
    action: Action,
    actor: Actor,
    *,
    now: dt.datetime,
    kinds: Collection[ExceptionKind] | None = None,
) -> int:
    """Resolve the order's open exceptions ``action`` answers (``kinds``; default: every kind
    the remedies list it for), in ``actor``'s name; how many."""
    assert order.id is not None
    answered = (
        tuple(kinds)
        if kinds is not None
        else tuple(kind for kind, remedies in REMEDIES.items() if action in remedies)
    )
    return resolve(
        session,
        order_pk=order.id,
        kinds=answered,
        by=actor.name,
        resolution=action.value,
        now=now,
    )
