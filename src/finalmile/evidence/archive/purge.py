"""Deleting the evidence of an order past retention, atomically, once, with an audit row.

What goes (the evidence, which holds patient data):

- temperature logs: the raw export, the readings and every evaluation of them;
- the proof of delivery's evidence: signature and photo images, and the encrypted signer name,
  GPS position and carrier ``signed_by``;
- the encrypted part of every carrier tracking event (scan message and location) and of every
  driver update (GPS, note, signer name).

What stays (no patient data in it): the order itself and its source messages (the PMS's order
record, outside evidence retention), shipments, tracking statuses and times, the POD's skeleton
(method, delivery time, carrier, tracking number, relationship, the images' SHA-256, when it was
complete), the chain of custody (so ``finalmile custody verify`` still checks it), outbox and
billing rows, and an ``audit_event`` (order, ``evidence_purged``) naming the retention years, the
basis and the dates, what was removed and the custody head hash at the time.

An order is purged in one transaction with its row locked, after checking again that it is past
retention and not purged before. An order on legal hold (``holds.py``; checked under the same
lock that placing a hold takes) is kept, with an ``evidence_kept_legal_hold`` audit event naming
the hold but not its text; an order whose write-back to the PMS is not finished (outbox rows
``pending`` or ``dead``: a claim may still need the evidence) is kept and reported.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session
from sqlmodel import col

from finalmile.courier import DriverUpdate
from finalmile.db_types import utcnow
from finalmile.evidence.archive.holds import active_hold, held_since, lock_order
from finalmile.evidence.archive.packet import Retention
from finalmile.evidence.archive.retention import PURGED, record_order_event, retention_of
from finalmile.evidence.temperature.models import TemperatureEvaluationRow, TemperatureLogRow
from finalmile.outbox import OutboxEvent, OutboxStatus
from finalmile.tracking import DeliveryProof, TrackingEventRow, custody

OPEN_OUTBOX = (OutboxStatus.PENDING, OutboxStatus.DEAD)
#: The audit action of a purge that found the order due but on legal hold.
KEPT_ON_HOLD = "evidence_kept_legal_hold"


@dataclass(frozen=True)
class PurgeOutcome:
    """What purging one order did: ``purged``, or ``kept`` with the reason."""

    order_id: str
    connector: str
    retention: Retention
    purged: bool
    reason: str | None = None
    removed: dict[str, int] = field(default_factory=dict)


def purge_order(
    session: Session,
    *,
    order_pk: int,
    years: int,
    today: dt.date,
    zone: dt.tzinfo,
    actor: str,
) -> PurgeOutcome:
    """Delete one order's evidence in the caller's transaction, if it is due (see the module)."""
    order = lock_order(session, order_pk)
    retention = retention_of(session, order, years=years, zone=zone)

    def kept(reason: str) -> PurgeOutcome:
        return PurgeOutcome(order.order_id, order.connector, retention, False, reason)

    if retention.until >= today:
        return kept(f"within retention until {retention.until.isoformat()}")
    if retention.purged_at is not None:
        return kept("evidence already purged")
    hold = active_hold(session, order_pk)
    if hold is not None:
        on_hold = {
            "hold_id": hold.id,
            "held_since": hold.placed_at.isoformat(),
            "retain_until": retention.until.isoformat(),
        }
        record_order_event(
            session,
            order_pk=order_pk,
            action=KEPT_ON_HOLD,
            actor=actor,
            detail=on_hold,
            at=utcnow(),
        )
        return kept(held_since(hold.placed_at, zone))
    open_rows = session.scalar(
        select(func.count())
        .select_from(OutboxEvent)
        .where(
            col(OutboxEvent.connector) == order.connector,
            col(OutboxEvent.order_id) == order.order_id,
            col(OutboxEvent.status).in_(OPEN_OUTBOX),
        )
    )
    if open_rows:
        return kept(f"{open_rows} write-back event(s) pending or dead in the outbox")
    head = custody.verify_chain(custody.chain(session, order_pk)).head_hash
    removed = _remove(session, order_pk)
    detail: dict[str, Any] = {
        "retention_years": years,
        "basis": retention.basis,
        "since": retention.since.isoformat(),
        "retain_until": retention.until.isoformat(),
        "removed": removed,
        "custody_head_hash": head,
    }
    record_order_event(
        session, order_pk=order_pk, action=PURGED, actor=actor, detail=detail, at=utcnow()
    )
    return PurgeOutcome(order.order_id, order.connector, retention, True, None, removed)


def _remove(session: Session, order_pk: int) -> dict[str, int]:
    """Delete or blank the evidence rows and columns; how many rows of each kind changed."""
    evaluations = _count(
        session.execute(
            delete(TemperatureEvaluationRow).where(
                col(TemperatureEvaluationRow.order_pk) == order_pk
            )
        )
    )
    logs = _count(
        session.execute(
            delete(TemperatureLogRow).where(col(TemperatureLogRow.order_pk) == order_pk)
        )
    )
    proofs = _count(
        session.execute(
            update(DeliveryProof)
            .where(
                col(DeliveryProof.order_pk) == order_pk,
                col(DeliveryProof.signature_encrypted).is_not(None)
                | col(DeliveryProof.photo_encrypted).is_not(None)
                | col(DeliveryProof.evidence_encrypted).is_not(None),
            )
            .values(signature_encrypted=None, photo_encrypted=None, evidence_encrypted=None)
        )
    )
    return {
        "temperature_logs": logs,
        "temperature_evaluations": evaluations,
        "delivery_proofs": proofs,
        "tracking_events": _clear_evidence(session, TrackingEventRow, order_pk),
        "driver_updates": _clear_evidence(session, DriverUpdate, order_pk),
    }


def _count(result: Any) -> int:
    """How many rows a DELETE or UPDATE changed."""
    return int(result.rowcount or 0)


def _clear_evidence(
    session: Session, rows: type[TrackingEventRow] | type[DriverUpdate], order_pk: int
) -> int:
    """Null the encrypted details of an order's ``rows``; how many rows had some."""
    return _count(
        session.execute(
            update(rows)
            .where(col(rows.order_pk) == order_pk, col(rows.evidence_encrypted).is_not(None))
            .values(evidence_encrypted=None)
        )
    )
