"""Outbox rows: leasing due rows, recording attempts, and the operator's retry and replay.

Leasing selects due rows with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (workers in any number of
processes never wait on, nor take, each other's rows) and stamps them with a lease; SQLite, one
process, serializes the same transaction with ``BEGIN IMMEDIATE``. Results are written only while
the lease is still ours, so a worker that stalled past its lease cannot overwrite the work of the
one that took over. A worker records a whole batch in one transaction: a crash before that
commit means the batch is delivered again (same idempotency keys), never lost.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from finalmile.db import transaction
from finalmile.errors import ConflictError, NotFoundError
from finalmile.outbox.codes import OutboxCode
from finalmile.outbox.models import AttemptOutcome, OutboxAttempt, OutboxEvent, OutboxStatus


@dataclass(frozen=True)
class AttemptRecord:
    """One attempt to deliver to one target, as the worker saw it."""

    target: str
    outcome: AttemptOutcome
    detail: str | None
    started_at: dt.datetime
    duration_ms: int


@dataclass(frozen=True)
class Result:
    """What to write back to a leased row after delivering it."""

    status: OutboxStatus
    done_targets: list[str]
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str | None


@dataclass(frozen=True)
class Outcome:
    """A leased row's result and the attempts that led to it."""

    event_pk: int
    result: Result
    attempts: list[AttemptRecord]


class OutboxStore:
    """Reads and lease-guarded writes of outbox rows."""

    def __init__(self, sessions: sessionmaker[Session], *, lease_seconds: float = 120.0) -> None:
        self.sessions = sessions
        self.lease_seconds = lease_seconds

    def lease(self, *, now: dt.datetime, limit: int) -> tuple[str, list[OutboxEvent]]:
        """Lease up to ``limit`` due rows, oldest due first; returns the lease owner and rows."""
        owner = uuid.uuid4().hex
        with transaction(self.sessions) as session:
            due = (
                select(OutboxEvent)
                .where(
                    col(OutboxEvent.status) == OutboxStatus.PENDING.value,
                    col(OutboxEvent.next_attempt_at) <= now,
                    or_(col(OutboxEvent.lease_until).is_(None), col(OutboxEvent.lease_until) < now),
                )
                .order_by(col(OutboxEvent.next_attempt_at), col(OutboxEvent.id))
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
            rows = list(session.scalars(due))
            until = now + dt.timedelta(seconds=self.lease_seconds)
            for row in rows:
                row.lease_owner, row.lease_until = owner, until
        return owner, rows

    def finish(
        self,
        owner: str,
        outcomes: list[Outcome],
        *,
        now: dt.datetime,
        release: list[int] | None = None,
    ) -> list[int]:
        """Record each row's attempts and new state, and hand the ``release`` rows back
        untouched, in one transaction; returns the ids whose lease was lost (their results
        are dropped: another worker owns them now)."""
        lost = []
        with transaction(self.sessions) as session:
            if release:
                session.execute(
                    update(OutboxEvent)
                    .where(col(OutboxEvent.id).in_(release), col(OutboxEvent.lease_owner) == owner)
                    .values(lease_owner=None, lease_until=None)
                )
            for outcome in outcomes:
                result = outcome.result
                changed = session.execute(
                    update(OutboxEvent)
                    .where(
                        col(OutboxEvent.id) == outcome.event_pk,
                        col(OutboxEvent.lease_owner) == owner,
                    )
                    .values(
                        status=result.status,
                        done_targets=result.done_targets,
                        attempts=result.attempts,
                        next_attempt_at=result.next_attempt_at,
                        last_error=result.last_error[:300] if result.last_error else None,
                        lease_owner=None,
                        lease_until=None,
                        updated_at=now,
                        delivered_at=now if result.status is OutboxStatus.DELIVERED else None,
                    )
                )
                if changed.rowcount != 1:  # type: ignore[attr-defined]
                    lost.append(outcome.event_pk)
                    continue
                session.add_all(
                    OutboxAttempt(
                        event_pk=outcome.event_pk,
                        target=a.target,
                        outcome=a.outcome,
                        detail=a.detail[:300] if a.detail else None,
                        started_at=a.started_at,
                        duration_ms=a.duration_ms,
                    )
                    for a in outcome.attempts
                )
        return lost

    def retry(self, event_pk: int, *, now: dt.datetime) -> OutboxEvent:
        """Make a pending or dead row due now with a fresh budget; delivered targets stay done.

        Raises:
            NotFoundError: no such row.
            ConflictError: the row is delivered or skipped (``replay`` sends it again).
        """
        with transaction(self.sessions) as session:
            row = self._get(session, event_pk)
            if row.status not in (OutboxStatus.PENDING, OutboxStatus.DEAD):
                raise ConflictError(
                    f"outbox row {event_pk} is {row.status.value}; use replay to send it again",
                    code=OutboxCode.NOT_RETRIABLE,
                )
            self._restart(row, now)
            return row

    def replay(self, event_pk: int, *, now: dt.datetime) -> OutboxEvent:
        """Send a row to every target again, whatever its state (same idempotency key).

        Raises:
            NotFoundError: no such row.
        """
        with transaction(self.sessions) as session:
            row = self._get(session, event_pk)
            row.done_targets = []
            row.delivered_at = None
            self._restart(row, now)
            return row

    def get(self, event_pk: int) -> tuple[OutboxEvent, list[OutboxAttempt]]:
        """One row and its attempts, oldest first.

        Raises:
            NotFoundError: no such row.
        """
        with self.sessions() as session:
            row = self._get(session, event_pk)
            attempts = session.scalars(
                select(OutboxAttempt)
                .where(col(OutboxAttempt.event_pk) == event_pk)
                .order_by(col(OutboxAttempt.id))
            )
            return row, list(attempts)

    def search(
        self,
        *,
        status: OutboxStatus | None = None,
        connector: str | None = None,
        order_id: str | None = None,
        limit: int = 100,
    ) -> list[OutboxEvent]:
        """Rows matching every filter given, newest first."""
        statement = select(OutboxEvent).order_by(col(OutboxEvent.id).desc()).limit(limit)
        if status is not None:
            statement = statement.where(col(OutboxEvent.status) == status.value)
        if connector is not None:
            statement = statement.where(col(OutboxEvent.connector) == connector)
        if order_id is not None:
            statement = statement.where(col(OutboxEvent.order_id) == order_id)
        with self.sessions() as session:
            return list(session.scalars(statement))

    @staticmethod
    def _get(session: Session, event_pk: int) -> OutboxEvent:
        row = session.get(OutboxEvent, event_pk, with_for_update=True)
        if row is None:
            raise NotFoundError(f"no outbox row {event_pk}")
        return row

    @staticmethod
    def _restart(row: OutboxEvent, now: dt.datetime) -> None:
        row.status = OutboxStatus.PENDING
        row.attempts = 0
        row.next_attempt_at = row.budget_started_at = row.updated_at = now
        row.lease_owner = row.lease_until = None
        row.last_error = None
