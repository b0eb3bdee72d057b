"""Planning as a job: each run plans one day in a child process with a time budget and stores it.

The search never runs on the caller's interpreter (PyVRP's search loop is mostly Python and would
compete for the interpreter lock with intake's event loop), and a scheduled run that has no
courier jobs for the day stores nothing.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import structlog
from apscheduler.triggers.cron import CronTrigger

from finalmile.routing.check import CheckReport, check_plan
from finalmile.routing.dayfile import load_day
from finalmile.routing.matrix import HaversineProvider
from finalmile.routing.plan import Plan, with_unplaced
from finalmile.routing.solve import Budget, plan
from finalmile.routing.store import save_plan
from finalmile.services import Services

log = structlog.get_logger(__name__)

DaySource = Callable[[dt.date], str | None]
"""Returns the day file (JSON) for a date, or ``None`` when there is nothing to plan."""


def plan_day_file(text: str, date: dt.date, seconds: float) -> tuple[Plan, CheckReport]:
    """Parse, plan and check one day (what the child process runs)."""
    day = load_day(text, source="day").on(date)
    matrix = HaversineProvider().matrix(day.problem.points())
    result = plan(day.problem, matrix, Budget(seconds=seconds))
    report = check_plan(day.problem, result, matrix)
    return with_unplaced(result, day.unplaced), report


def plan_in_child(text: str, date: dt.date, seconds: float) -> tuple[Plan, CheckReport]:
    """``plan_day_file`` in a fresh child process, waiting for its answer."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(plan_day_file, text, date, seconds).result()


def store_plan(
    services: Services, text: str, date: dt.date, seconds: float, outcome: tuple[Plan, CheckReport]
) -> int:
    """Save a planned day; returns the plan id."""
    result, report = outcome
    jobs = load_day(text, source="day").on(date).jobs
    with services.sessions() as session, session.begin():
        return save_plan(
            session=session,
            plan_date=date,
            plan=result,
            report=report,
            jobs=jobs,
            budget_seconds=seconds,
        )


def run_planning(
    *, services: Services, source: DaySource, date: dt.date, seconds: float
) -> int | None:
    """One planning run for ``date``: the stored plan's id, or ``None`` with nothing to plan."""
    text = source(date)
    if text is None:
        log.info("route_planning_skipped", date=date.isoformat())
        return None
    plan_id = store_plan(services, text, date, seconds, plan_in_child(text, date, seconds))
    log.info("route_plan_stored", date=date.isoformat(), plan_id=plan_id)
    return plan_id


def add_planning_job(
    scheduler: Any,
    *,
    services: Services,
    source: DaySource,
    at: dt.time,
    zone: str,
    seconds: float,
    days_ahead: int = 1,
) -> Any:
    """Plan ``days_ahead`` days ahead every day at ``at`` (in ``zone``) on an APScheduler scheduler.

    One run at a time (``max_instances=1``); a run missed by less than an hour still runs.
    """

    def job() -> None:
        today = dt.datetime.now(dt.UTC).astimezone(CronTrigger(timezone=zone).timezone).date()
        run_planning(
            services=services,
            source=source,
            date=today + dt.timedelta(days=days_ahead),
            seconds=seconds,
        )

    return scheduler.add_job(
        job,
        CronTrigger(hour=at.hour, minute=at.minute, timezone=zone),
        id="route_planning",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=3600,
        replace_existing=True,
    )
