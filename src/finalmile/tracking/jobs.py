"""The polling fallback as a scheduler job: parcels with no recent carrier event are asked for."""

from __future__ import annotations

from typing import TYPE_CHECKING

import structlog

from finalmile.tracking.service import TrackingService

if TYPE_CHECKING:
    from apscheduler.schedulers.base import BaseScheduler

log = structlog.get_logger(__name__)
JOB_ID = "tracking-poll"


def add_tracking_poll(
    scheduler: BaseScheduler, *, tracking: TrackingService, every_seconds: float
) -> bool:
    """Add the poll job when carrier accounts are configured; True if it was added."""
    if not tracking.shipments.accounts:
        return False
    scheduler.add_job(
        tracking.poll_due,
        "interval",
        seconds=every_seconds,
        id=JOB_ID,
        max_instances=1,
        coalesce=True,
    )
    log.info("tracking_poll_scheduled", every_seconds=every_seconds)
    return True
