"""The outbox workers as scheduler jobs: each drains due rows, then waits for the next poll.

Each worker is its own job (``outbox:0``, ``outbox:1``...) on the scheduler's thread pool, off the
event loop, so deliveries never hold up intake; ``max_instances=1`` keeps one run per worker.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import structlog

from finalmile.outbox.worker import OutboxWorker
from finalmile.services import Services

if TYPE_CHECKING:
    from apscheduler.schedulers.base import BaseScheduler

log = structlog.get_logger(__name__)


def add_outbox_workers(scheduler: BaseScheduler, services: Services) -> int:
    """Add ``settings.outbox_workers`` worker jobs to ``scheduler``; returns how many."""
    settings = services.settings
    for number in range(settings.outbox_workers):
        worker = OutboxWorker(services.outbox, services.writeback)
        scheduler.add_job(
            worker.drain,
            "interval",
            seconds=settings.outbox_poll_seconds,
            id=f"outbox:{number}",
            max_instances=1,
            coalesce=True,
            next_run_time=dt.datetime.now(dt.UTC),
        )
    if settings.outbox_workers:
        log.info(
            "outbox_workers_scheduled",
            workers=settings.outbox_workers,
            every_seconds=settings.outbox_poll_seconds,
        )
    return settings.outbox_workers
