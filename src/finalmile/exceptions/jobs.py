"""The exceptions queue as a scheduler job (``FINALMILE_EXCEPTIONS_INTERVAL_SECONDS``)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import structlog

from finalmile.exceptions.queue import ExceptionQueue

if TYPE_CHECKING:
    from apscheduler.schedulers.base import BaseScheduler

log = structlog.get_logger(__name__)


def add_exceptions_job(
    scheduler: BaseScheduler, *, queue: ExceptionQueue, every_seconds: float
) -> bool:
    """Keep the queue up to date every ``every_seconds`` (0: never); whether a job was added."""
    if not every_seconds:
        return False
    scheduler.add_job(
        queue.run,
        "interval",
        seconds=every_seconds,
        id="exceptions",
        max_instances=1,
        coalesce=True,
        next_run_time=dt.datetime.now(dt.UTC),
    )
    log.info("exceptions_scheduled", every_seconds=every_seconds)
    return True
