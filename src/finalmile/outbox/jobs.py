"""The outbox workers as scheduler jobs: each drains due rows, then waits for the next poll.

Each worker is its own job (``outbox:0``, ``outbox:1``...) on the scheduler's thread pool, off the
event loop, so deliveries never hold up intake; ``max_instances=1`` keeps one run per worker.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import structlog

from finalmile.outbox.ports import Deliverers
from finalmile.outbox.store import OutboxStore
from finalmile.outbox.worker import OutboxWorker

if TYPE_CHECKING:
    from apscheduler.schedulers.base import BaseScheduler

log = structlog.get_logger(__name__)


def add_outbox_workers(
    scheduler: BaseScheduler,
    *,
    store: OutboxStore,
    deliverers: Deliverers,
    workers: int,
    every_seconds: float,
) -> int:
    """Add ``workers`` worker jobs to ``scheduler``; returns how many."""
    for number in range(workers):
        worker = OutboxWorker(store, deliverers)
        scheduler.add_job(
            worker.drain,
            "interval",
            seconds=every_seconds,
            id=f"outbox:{number}",
            max_instances=1,
            coalesce=True,
            next_run_time=dt.datetime.now(dt.UTC),
        )
    if workers:
        log.info("outbox_workers_scheduled", workers=workers, every_seconds=every_seconds)
    return workers
