"""Bring the queue up to date: open a row for each new problem, resolve the rows whose problem
went away.

A row cleared by a person's action records that person and action: the action resolves the row
in its own transaction (``resolve``), or, when its effect shows only later (a replayed write-back
delivered, a re-decision that left the hold), the sync finds the action in the order's history
since the row opened. Otherwise the row is resolved by ``system`` as ``cleared``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlmodel import col

from finalmile.audit import AuditEvent
from finalmile.exceptions.catalog import Action
from finalmile.exceptions.conditions import Thresholds, find
from finalmile.exceptions.models import ExceptionKind, OrderException
from finalmile.vault import Vault

SYSTEM = "system"
CLEARED = "cleared"
#: History entries that are a person's action answering an exception kind.
_ANSWERS: dict[ExceptionKind, tuple[Action, ...]] = {
    ExceptionKind.HELD: (Action.RESOLVE_HOLD, Action.REDECIDE, Action.OVERRIDE, Action.CANCEL),
    ExceptionKind.LATE: (Action.CANCEL,),
    ExceptionKind.STALLED: (Action.RESHIP, Action.CANCEL),
    ExceptionKind.FAILED_ATTEMPT: (Action.REATTEMPT, Action.RESHIP, Action.CANCEL),
    ExceptionKind.RETURNED: (Action.RESHIP, Action.CANCEL),
    ExceptionKind.EXCURSION: (Action.DISPOSITION,),
    ExceptionKind.POD_INCOMPLETE: (Action.COMPLETE_POD,),
    ExceptionKind.WRITEBACK_DEAD: (Action.REPLAY_WRITEBACK,),
    ExceptionKind.CANCELLED_AFTER_DISPATCH: (),
}
#: A person's decision is recorded as ``decided``; ``chosen_from`` marks a hold resolved.
_DECIDED = "decided"


def sync(
    session: Session, *, now: dt.datetime, thresholds: Thresholds, vault: Vault
) -> tuple[int, int]:
    """Open and resolve rows so the open ones are exactly today's problems; (opened, resolved).

    Two syncs at once are harmless: an open row already there makes the second insert a no-op.
    """
    found = find(session, now=now, thresholds=thresholds, vault=vault)
    open_rows = {
        (row.order_pk, row.kind): row
        for row in session.scalars(
            select(OrderException).where(col(OrderException.resolved_at).is_(None))
        )
    }
    opened = resolved = 0
    for key, reason in found.items():
        row = open_rows.get(key)
        if row is None:
            opened += _open(session, key, reason, now)
        elif row.reason != reason:
            row.reason = reason
            session.add(row)
    for key, row in open_rows.items():
        if key not in found:
            by, how = _answered_by(session, row)
            _close(session, row, now=now, by=by, resolution=how)
            resolved += 1
    session.flush()
    return opened, resolved


def resolve(
    session: Session,
    *,
    order_pk: int,
    kinds: tuple[ExceptionKind, ...],
    by: str,
    resolution: str,
    now: dt.datetime,
) -> int:
    """Resolve the order's open rows of ``kinds`` as answered by ``by`` with ``resolution``."""
    rows = session.scalars(
        select(OrderException).where(
            col(OrderException.order_pk) == order_pk,
            col(OrderException.kind).in_([k.value for k in kinds]),
            col(OrderException.resolved_at).is_(None),
        )
    )
    count = 0
    for row in rows:
        _close(session, row, now=now, by=by, resolution=resolution)
        count += 1
    session.flush()
    return count


def _open(session: Session, key: tuple[int, ExceptionKind], reason: str, now: dt.datetime) -> int:
    order_pk, kind = key
    try:
        with session.begin_nested():
            session.add(OrderException(order_pk=order_pk, kind=kind, reason=reason, opened_at=now))
    except IntegrityError:  # another sync opened it meanwhile
        return 0
    return 1


def _close(
    session: Session, row: OrderException, *, now: dt.datetime, by: str, resolution: str
) -> None:
    row.resolved_at = now
    row.resolved_by = by[:100]
    row.resolution = resolution[:32]
    session.add(row)


def _answered_by(session: Session, row: OrderException) -> tuple[str, str]:
    """Who cleared ``row``: the newest action answering its kind since it opened, else system."""
    answers = {a.value for a in _ANSWERS[row.kind]}
    names = answers | ({_DECIDED} if row.kind is ExceptionKind.HELD else set())
    entries = session.scalars(
        select(AuditEvent)
        .where(
            col(AuditEvent.entity) == "order",
            col(AuditEvent.entity_id) == str(row.order_pk),
            col(AuditEvent.action).in_(sorted(names)),
            col(AuditEvent.at) >= row.opened_at,
        )
        .order_by(col(AuditEvent.id).desc())
    )
    for entry in entries:
        if entry.action != _DECIDED:
            return entry.actor, entry.action
        if entry.actor != SYSTEM:
            chosen = "chosen_from" in entry.detail
            return entry.actor, (Action.RESOLVE_HOLD if chosen else Action.REDECIDE).value
    return SYSTEM, CLEARED
