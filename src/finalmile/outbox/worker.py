"""The outbox worker: lease due rows, deliver each to its targets, record what happened.

Per row and per target not yet done: ``deliver`` succeeds (the target is done), raises
``RetriableError`` (the row comes back after a backoff), or raises ``PermanentError`` (the row
goes to the dead letters at once; ``finalmile outbox replay`` sends it again). When the row's
budget (``writeback.retry`` of its connector) is spent it goes to the dead letters too. A row
whose topic no target takes is ``skipped``. Any number of workers may run: rows are leased.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import structlog

from finalmile.db_types import utcnow
from finalmile.errors import PermanentError, RetriableError
from finalmile.outbox.backoff import next_delay, spent
from finalmile.outbox.models import AttemptOutcome, OutboxEvent, OutboxStatus
from finalmile.outbox.ports import Deliverer, Deliverers, Effect
from finalmile.outbox.store import AttemptRecord, OutboxStore, Outcome, Result
from finalmile.outbox_terms import Topic

log = structlog.get_logger(__name__)


class OutboxWorker:
    """Delivers due outbox rows; ``clock`` is injectable so tests can simulate days."""

    def __init__(
        self,
        store: OutboxStore,
        targets: Deliverers,
        *,
        batch_size: int = 20,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.store = store
        self.targets = targets
        self.batch_size = batch_size
        self.clock = clock

    def run_once(self) -> int:
        """Lease one batch of due rows and deliver it; returns how many rows were leased.

        Rows not reached within half the lease (slow or silent targets) are handed back
        untouched, so results are always recorded while the lease still holds.
        """
        owner, rows = self.store.lease(now=self.clock(), limit=self.batch_size)
        if not rows:
            return 0
        deadline = time.monotonic() + self.store.lease_seconds / 2
        outcomes = []
        for row in rows:
            if time.monotonic() > deadline:
                break
            outcomes.append(self._process(row))
        handed_back = [row.id for row in rows[len(outcomes) :] if row.id is not None]
        lost = set(self.store.finish(owner, outcomes, now=self.clock(), release=handed_back))
        for row, outcome in zip(rows, outcomes, strict=False):
            if outcome.event_pk in lost:
                log.warning("outbox_lease_lost", outbox_id=row.id, order_id=row.order_id)
                continue
            result = outcome.result
            log.info(
                f"outbox_{result.status.value}",
                outbox_id=row.id,
                topic=row.topic,
                order_id=row.order_id,
                attempts=result.attempts,
                error=result.last_error,
            )
        return len(rows)

    def drain(self, *, max_seconds: float = 10.0) -> int:
        """Deliver batches until none is due, for ``max_seconds`` at most (so a scheduler job
        ends soon and shutdown never waits long); returns the rows leased."""
        total = 0
        until = time.monotonic() + max_seconds
        while time.monotonic() < until:
            leased = self.run_once()
            total += leased
            if leased < self.batch_size:
                break
        return total

    def _process(self, row: OutboxEvent) -> Outcome:
        assert row.id is not None
        topic = Topic(row.topic)
        targets = [t for t in self.targets.for_connector(row.connector) if topic in t.topics]
        effect = Effect(row.id, row.key, topic, row.connector, row.payload, row.created_at)
        done = list(row.done_targets)
        records: list[AttemptRecord] = []
        errors: list[str] = []
        refused = False
        for target in targets:
            if target.name in done:
                continue
            record = self._attempt(target, effect)
            records.append(record)
            if record.outcome is AttemptOutcome.OK:
                done.append(target.name)
            else:
                errors.append(record.detail or record.outcome.value)
                refused = refused or record.outcome is AttemptOutcome.REFUSED
        now = self.clock()
        result = self._result(
            row, targets=targets, done=done, errors=errors, refused=refused, now=now
        )
        return Outcome(row.id, result, records)

    def _attempt(self, target: Deliverer, effect: Effect) -> AttemptRecord:
        started = self.clock()
        began = time.perf_counter()
        try:
            detail = target.deliver(effect)
            outcome = AttemptOutcome.OK
        except PermanentError as exc:
            detail, outcome = str(exc), AttemptOutcome.REFUSED
        except RetriableError as exc:
            detail, outcome = str(exc), AttemptOutcome.RETRY
        except Exception as exc:  # a bug in a target must not stop the worker
            log.exception("outbox_target_failed", outbox_id=effect.event_id, target=target.name)
            detail, outcome = (
                f"{target.name}: unexpected {type(exc).__name__}",
                AttemptOutcome.RETRY,
            )
        duration = round((time.perf_counter() - began) * 1000)
        return AttemptRecord(target.name, outcome, detail, started, duration)

    def _result(
        self,
        row: OutboxEvent,
        *,
        targets: list[Deliverer],
        done: list[str],
        errors: list[str],
        refused: bool,
        now: dt.datetime,
    ) -> Result:
        if not targets:
            return Result(OutboxStatus.SKIPPED, done, row.attempts, now, None)
        attempts = row.attempts + 1
        if not errors:
            return Result(OutboxStatus.DELIVERED, done, attempts, now, None)
        error = "; ".join(errors)
        policy = self.targets.policy(row.connector)
        if refused or spent(
            policy, attempts=attempts, budget_started_at=row.budget_started_at, now=now
        ):
            return Result(OutboxStatus.DEAD, done, attempts, now, error)
        later = now + dt.timedelta(seconds=next_delay(policy, attempts))
        return Result(OutboxStatus.PENDING, done, attempts, later, error)
