"""Legal holds: placing, releasing and listing them, inside the caller's transaction.

A compliance officer puts an order's evidence on hold (litigation, a DEA or board-of-pharmacy
inquiry, a payer audit); ``purge_order`` never deletes held evidence. Placing and releasing lock
the order's row (``SELECT ... FOR UPDATE``; SQLite serialises every writing transaction), the same
lock ``purge_order`` takes before it looks for a hold, so a hold and a purge of the same order
are ordered: a hold committed first keeps the evidence; a hold that waited for a purge finds the
evidence gone and is refused.

The reason and reference are staff's free text and may name a person or a case: they are stored
encrypted, never logged, and audit rows name the hold's id, never its text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from finalmile.errors import ConflictError, ErrorCode, InputError
from finalmile.evidence.archive.models import LegalHold
from finalmile.evidence.archive.retention import purged_at, record_order_event
from finalmile.evidence.codes import EvidenceCode
from finalmile.orders import Order
from finalmile.vault import Vault

#: Audit actions (entity ``order``, id the order's primary key); detail holds no free text.
PLACED = "legal_hold_placed"
RELEASED = "legal_hold_released"
MAX_REASON = 2000
MAX_REFERENCE = 200


@dataclass(frozen=True)
class HoldRecord:
    """A hold with its order's ids and its text decrypted (for those who may manage holds)."""

    hold_id: int
    order_id: str
    connector: str
    placed_at: dt.datetime
    placed_by: str
    reason: str
    reference: str | None
    released_at: dt.datetime | None
    released_by: str | None
    release_reason: str | None

    @property
    def active(self) -> bool:
        """Whether the hold still keeps the evidence from purge."""
        return self.released_at is None


def lock_order(session: Session, order_pk: int) -> Order:
    """The order's row, locked until the transaction ends (holds and purges take this lock)."""
    return session.scalars(select(Order).where(col(Order.id) == order_pk).with_for_update()).one()


def active_hold(session: Session, order_pk: int) -> LegalHold | None:
    """The order's unreleased hold, if any (at most one: a unique index says so)."""
    return session.scalars(
        select(LegalHold).where(
            col(LegalHold.order_pk) == order_pk, col(LegalHold.released_at).is_(None)
        )
    ).one_or_none()


def holds_of(session: Session, order_pk: int) -> list[LegalHold]:
    """Every hold of the order, released ones included, oldest first."""
    return list(
        session.scalars(
            select(LegalHold)
            .where(col(LegalHold.order_pk) == order_pk)
            .order_by(col(LegalHold.placed_at), col(LegalHold.id))
        )
    )


def place(
    session: Session,
    *,
    order: Order,
    reason: str,
    reference: str | None,
    actor: str,
    vault: Vault,
    at: dt.datetime,
    zone: dt.tzinfo,
) -> LegalHold:
    """Put ``order`` (locked by the caller with ``lock_order``) on hold, audited.

    Raises:
        InputError: the reason is empty or too long, the reference too long.
        ConflictError: the order is on hold already (``already_held``: since when, by whom) or
            its evidence was purged (``purged``).
    """
    assert order.id is not None
    reason = _required(reason, "reason", MAX_REASON)
    reference = _optional(reference, "reference", MAX_REFERENCE)
    current = active_hold(session, order.id)
    if current is not None:
        raise ConflictError(
            f"order {order.order_id!r} is already on legal hold since "
            f"{_when(current.placed_at, zone)} by {current.placed_by}",
            location="order_id",
            code=EvidenceCode.ALREADY_HELD,
        )
    purged = purged_at(session, order.id)
    if purged is not None:
        raise ConflictError(
            f"the evidence of order {order.order_id!r} was purged on {_when(purged, zone)}: "
            "there is nothing left to hold",
            location="order_id",
            code=EvidenceCode.PURGED,
        )
    hold = LegalHold(
        order_pk=order.id,
        placed_at=at,
        placed_by=actor,
        reason_encrypted=vault.encrypt(reason.encode()),
        reference_encrypted=vault.encrypt(reference.encode()) if reference else None,
    )
    session.add(hold)
    session.flush()
    assert hold.id is not None
    record_order_event(
        session, order_pk=order.id, action=PLACED, actor=actor, detail={"hold_id": hold.id}, at=at
    )
    return hold


def release(
    session: Session, *, order: Order, reason: str, actor: str, vault: Vault, at: dt.datetime
) -> LegalHold:
    """Release ``order``'s hold (the order locked by the caller); the hold stays as history.

    Raises:
        InputError: the reason is empty or too long.
        ConflictError: the order is not on hold (``not_held``).
    """
    assert order.id is not None
    reason = _required(reason, "reason", MAX_REASON)
    hold = active_hold(session, order.id)
    if hold is None:
        raise ConflictError(
            f"order {order.order_id!r} is not on legal hold",
            location="order_id",
            code=EvidenceCode.NOT_HELD,
        )
    hold.released_at = at
    hold.released_by = actor
    hold.release_reason_encrypted = vault.encrypt(reason.encode())
    session.add(hold)
    detail = {"hold_id": hold.id, "held_since": hold.placed_at.isoformat()}
    record_order_event(
        session, order_pk=order.id, action=RELEASED, actor=actor, detail=detail, at=at
    )
    return hold


def holds(session: Session, *, vault: Vault, include_released: bool) -> list[HoldRecord]:
    """Active holds (and released ones with ``include_released``), oldest first, decrypted."""
    statement = select(LegalHold, Order).join(Order, col(Order.id) == col(LegalHold.order_pk))
    if not include_released:
        statement = statement.where(col(LegalHold.released_at).is_(None))
    rows = session.execute(statement.order_by(col(LegalHold.placed_at), col(LegalHold.id)))
    return [record(hold, order, vault) for hold, order in rows]


def record(hold: LegalHold, order: Order, vault: Vault) -> HoldRecord:
    """``hold`` with its text decrypted."""
    assert hold.id is not None

    def text(value: bytes | None) -> str | None:
        return None if value is None else vault.decrypt(value).decode()

    return HoldRecord(
        hold_id=hold.id,
        order_id=order.order_id,
        connector=order.connector,
        placed_at=hold.placed_at,
        placed_by=hold.placed_by,
        reason=vault.decrypt(hold.reason_encrypted).decode(),
        reference=text(hold.reference_encrypted),
        released_at=hold.released_at,
        released_by=hold.released_by,
        release_reason=text(hold.release_reason_encrypted),
    )


def held_since(placed_at: dt.datetime, zone: dt.tzinfo) -> str:
    """``legal hold since 2026-11-21``: why purge keeps an order (the day in the site's zone)."""
    return f"legal hold since {placed_at.astimezone(zone).date().isoformat()}"


def _required(value: str, field: str, limit: int) -> str:
    text = _optional(value, field, limit)
    if text is None:
        raise InputError(f"a {field} is required", location=field, code=ErrorCode.REQUIRED)
    return text


def _optional(value: str | None, field: str, limit: int) -> str | None:
    text = (value or "").strip()
    if len(text) > limit:
        raise InputError(
            f"longer than {limit} characters", location=field, code=EvidenceCode.TOO_LONG
        )
    return text or None


def _when(at: dt.datetime, zone: dt.tzinfo) -> str:
    return at.astimezone(zone).isoformat(timespec="minutes")
