"""The polling fallback as a scheduler job: parcels with no recent carrier event are asked for."""

from __future__ import annotations

from typing import TYPE_CHECKING

import structlog

from finalmile.services import Services
from finalmile.tracking.service import tracking_service

if TYPE_CHECKING:
    from apscheduler.schedulers.background import BackgroundScheduler

log = structlog.get_logger(__name__)
JOB_ID = "tracking-poll"


def add_tracking_poll(scheduler: BackgroundScheduler, services: Services) -> bool:
    """Add the poll job when carrier accounts are configured; True if it was added."""
    if not services.shipments.accounts:
        return False
    every = services.settings.tracking_poll_seconds
    scheduler.add_job(
        tracking_service(services).poll_due,
        "interval",
        seconds=every,
        id=JOB_ID,
        max_instances=1,
        coalesce=True,
    )
    log.info("tracking_poll_scheduled", every_seconds=every)
    return True
