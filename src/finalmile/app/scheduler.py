"""Background jobs of the service (APScheduler 3.x): one FHIR poll job per polling connector, one
scan job per CSV drop folder, the delivery decisions of received orders, the dispatch of decided
carrier and courier orders (``FINALMILE_DISPATCH_INTERVAL_SECONDS``),
``FINALMILE_OUTBOX_WORKERS`` outbox workers, the tracking poll (``finalmile.tracking.jobs``)
when carrier accounts are configured, and the daily courier route planning
(``finalmile.courier.planning_job``) when ``FINALMILE_ROUTE_PLANNING_AT`` is set, and the
exceptions queue's refresh (``FINALMILE_EXCEPTIONS_INTERVAL_SECONDS``).

Jobs run on the scheduler's worker threads, off the event loop. Each job has ``max_instances=1``
(a slow poll is never overlapped by the next) and ``coalesce=True`` (polls missed while one ran
collapse into one); the first poll runs at startup.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import structlog

from finalmile.app.wiring import Services
from finalmile.connectors.csv_drop import DropFolderWatcher
from finalmile.courier import add_planning_job, stored_day
from finalmile.exceptions import add_exceptions_job
from finalmile.outbox import add_outbox_workers
from finalmile.tracking import add_tracking_poll

if TYPE_CHECKING:
    from apscheduler.schedulers.background import BackgroundScheduler

log = structlog.get_logger(__name__)


def build_scheduler(services: Services) -> BackgroundScheduler | None:
    """A scheduler holding every job ``services`` needs, not started; None when there is none."""
    pollers = services.fhir_pollers()
    folders = _drop_folders(services)
    decide_every = services.settings.decide_interval_seconds
    dispatch_every = services.settings.dispatch_interval_seconds
    tracked = bool(services.shipments.accounts)
    routes_at = services.settings.route_planning_at
    planned = routes_at is not None
    exceptions_every = services.settings.exceptions_interval_seconds
    jobs = decide_every or dispatch_every or services.settings.outbox_workers or exceptions_every
    if not (pollers or folders or jobs or tracked or planned):
        return None
    # Deferred: APScheduler loads when the service builds its scheduler, not on import.
    from apscheduler.schedulers.background import BackgroundScheduler  # noqa: PLC0415

    scheduler = BackgroundScheduler(timezone=dt.UTC)
    add_outbox_workers(
        scheduler,
        store=services.outbox,
        deliverers=services.writeback,
        workers=services.settings.outbox_workers,
        every_seconds=services.settings.outbox_poll_seconds,
    )
    add_tracking_poll(
        scheduler,
        tracking=services.tracking,
        every_seconds=services.settings.tracking_poll_seconds,
    )
    add_exceptions_job(scheduler, queue=services.exceptions, every_seconds=exceptions_every)
    if routes_at is not None:
        add_planning_job(
            scheduler,
            planning=services.planning,
            source=lambda date: stored_day(services.planning, date),
            at=routes_at,
            zone=services.settings.timezone,
            seconds=services.settings.route_planning_seconds,
        )
        log.info("route_planning_scheduled", at=routes_at.isoformat())
    if decide_every:
        scheduler.add_job(
            services.decider.decide_backlog,
            "interval",
            seconds=decide_every,
            id="decide-pending",
            max_instances=1,
            coalesce=True,
            next_run_time=dt.datetime.now(dt.UTC),
        )
        log.info("decisions_scheduled", every_seconds=decide_every)
    if dispatch_every:
        scheduler.add_job(
            services.dispatcher.run,
            "interval",
            seconds=dispatch_every,
            id="dispatch-decided",
            max_instances=1,
            coalesce=True,
            next_run_time=dt.datetime.now(dt.UTC),
        )
        log.info("dispatch_scheduled", every_seconds=dispatch_every)
    for name, (watcher, every) in folders.items():
        scheduler.add_job(
            watcher.scan,
            "interval",
            seconds=every,
            id=f"csv-drop:{name}",
            max_instances=1,
            coalesce=True,
            next_run_time=dt.datetime.now(dt.UTC),
        )
        log.info("csv_drop_scheduled", connector=name, every_seconds=every)
    for name, poller in pollers.items():
        scheduler.add_job(
            poller.poll,
            "interval",
            seconds=poller.server.poll_seconds,
            id=f"fhir-poll:{name}",
            max_instances=1,
            coalesce=True,
            next_run_time=dt.datetime.now(dt.UTC),
        )
        log.info("fhir_poll_scheduled", connector=name, every_seconds=poller.server.poll_seconds)
    return scheduler


def _drop_folders(services: Services) -> dict[str, tuple[DropFolderWatcher, float]]:
    watchers = {}
    for profile in services.intake.connectors.with_format("csv"):
        assert profile.csv is not None
        folder = profile.csv.drop_folder
        if folder is not None:
            watcher = DropFolderWatcher(services.files, connector=profile.name, folder=folder)
            watchers[profile.name] = (watcher, folder.poll_seconds)
    return watchers
