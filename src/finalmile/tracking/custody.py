"""Chain of custody: an append-only, hash-linked list of handoffs per order.

Each event's ``hash`` is ``SHA-256(prev_hash + "\\n" + canonical JSON)`` where the canonical JSON
holds the order's row id, ``seq``, ``kind``, ``actor``, ``at``, ``detail`` and ``recorded_at``
(keys sorted, no whitespace, UTF-8, times in UTC with microseconds). The first event's
``prev_hash`` is 64 zeros. Editing, reordering or deleting any event but the newest breaks the
chain at that event; ``verify_chain`` names the first one that does not check out. (Deleting the
newest events leaves a shorter valid chain: the evidence archive records the head hash it saw.)

Details never hold patient data: a recipient is recorded by relationship, a driver by id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from finalmile.db_types import utcnow
from finalmile.orders import Order
from finalmile.tracking.models import CustodyEvent

GENESIS = "0" * 64


class CustodyKind(StrEnum):
    """The handoffs and custody milestones recorded."""

    PACKED = "packed"
    PICKED_UP = "picked_up"
    TRANSFERRED_TO_CARRIER = "transferred_to_carrier"
    OUT_FOR_DELIVERY = "out_for_delivery"
    ARRIVED = "arrived"
    DELIVERY_ATTEMPTED = "delivery_attempted"
    DELIVERED = "delivered"
    RETURNED = "returned"
    RETURNED_TO_PHARMACY = "returned_to_pharmacy"
    HANDED_OFF = "handed_off"


@dataclass(frozen=True)
class ChainCheck:
    """The outcome of verifying one order's chain."""

    events: int
    first_bad_seq: int | None = None
    reason: str | None = None
    head_hash: str | None = None

    @property
    def ok(self) -> bool:
        """Whether every event checks out."""
        return self.first_bad_seq is None


def _time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def canonical(
    *,
    order_pk: int,
    seq: int,
    kind: str,
    actor: str,
    at: dt.datetime,
    detail: dict[str, Any],
    recorded_at: dt.datetime,
) -> bytes:
    """The canonical JSON bytes an event's hash covers."""
    content = {
        "order_pk": order_pk,
        "seq": seq,
        "kind": kind,
        "actor": actor,
        "at": _time(at),
        "detail": detail,
        "recorded_at": _time(recorded_at),
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode()


def link_hash(prev_hash: str, content: bytes) -> str:
    """The hash of an event given its predecessor's hash and its canonical JSON."""
    return hashlib.sha256(prev_hash.encode() + b"\n" + content).hexdigest()


def event_hash(event: CustodyEvent, prev_hash: str) -> str:
    """What ``event.hash`` must be if the event follows ``prev_hash`` untouched."""
    content = canonical(
        order_pk=event.order_pk,
        seq=event.seq,
        kind=event.kind,
        actor=event.actor,
        at=event.at,
        detail=event.detail,
        recorded_at=event.recorded_at,
    )
    return link_hash(prev_hash, content)


def chain(session: Session, order_pk: int) -> list[CustodyEvent]:
    """An order's custody events, oldest first."""
    statement = (
        select(CustodyEvent)
        .where(col(CustodyEvent.order_pk) == order_pk)
        .order_by(col(CustodyEvent.seq))
    )
    return list(session.scalars(statement))


def append(
    session: Session,
    *,
    order_pk: int,
    kind: CustodyKind,
    actor: str,
    at: dt.datetime,
    detail: dict[str, Any] | None = None,
) -> CustodyEvent:
    """Add a handoff to the order's chain in the caller's transaction (the order row is locked
    first, so concurrent appends serialise)."""
    session.get(Order, order_pk, with_for_update=True)
    last = session.scalars(
        select(CustodyEvent)
        .where(col(CustodyEvent.order_pk) == order_pk)
        .order_by(col(CustodyEvent.seq).desc())
        .limit(1)
    ).first()
    event = CustodyEvent(
        order_pk=order_pk,
        seq=(last.seq + 1) if last else 1,
        kind=kind.value,
        actor=actor,
        at=at,
        detail=detail or {},
        prev_hash=last.hash if last else GENESIS,
        hash="",
        recorded_at=utcnow(),
    )
    event.hash = event_hash(event, event.prev_hash)
    session.add(event)
    session.flush()
    return event


def verify_chain(events: list[CustodyEvent]) -> ChainCheck:
    """Check an order's events (oldest first): numbering, links and every hash."""
    previous = GENESIS
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            return ChainCheck(
                len(events), event.seq, f"expected event {expected_seq}: one is missing"
            )
        if event.prev_hash != previous:
            return ChainCheck(len(events), event.seq, "does not link to the event before it")
        if event.hash != event_hash(event, previous):
            return ChainCheck(len(events), event.seq, "content does not match its hash")
        previous = event.hash
    return ChainCheck(len(events), head_hash=previous if events else None)
