"""Background jobs of the service (APScheduler 3.x): one FHIR poll job per polling connector.

Jobs run on the scheduler's worker threads, off the event loop. Each job has ``max_instances=1``
(a slow poll is never overlapped by the next) and ``coalesce=True`` (polls missed while one ran
collapse into one); the first poll runs at startup.
"""

from __future__ import annotations

import datetime as dt

import structlog
from apscheduler.schedulers.background import BackgroundScheduler

from finalmile.connectors.fhir.poller import pollers_for
from finalmile.services import Services

log = structlog.get_logger(__name__)


def build_scheduler(services: Services) -> BackgroundScheduler | None:
    """A scheduler holding every job ``services`` needs, not started; None when there is none."""
    pollers = pollers_for(services)
    if not pollers:
        return None
    scheduler = BackgroundScheduler(timezone=dt.UTC)
    for name, poller in pollers.items():
        section = services.intake.connectors.get(name).fhir
        assert section is not None and section.server is not None
        scheduler.add_job(
            poller.poll,
            "interval",
            seconds=section.server.poll_seconds,
            id=f"fhir-poll:{name}",
            max_instances=1,
            coalesce=True,
            next_run_time=dt.datetime.now(dt.UTC),
        )
        log.info("fhir_poll_scheduled", connector=name, every_seconds=section.server.poll_seconds)
    return scheduler
