"""Planning as a job: each run plans one day in a child process with a time budget and stores it;
a re-plan runs the rest of a stored plan's day the same way and stores a plan superseding it.

The search never runs on the caller's interpreter (PyVRP's search loop is mostly Python and would
compete for the interpreter lock with intake's event loop), and a scheduled run that has no
courier jobs for the day stores nothing. Travel times come from the configured source for a new
plan and from the old plan's source for a re-plan (``travel.py``); when that routing engine is
down the run raises ``RetriableError`` before anything is stored.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import structlog

from finalmile.courier.day_from_orders import stored_day
from finalmile.courier.dayfile import load_day
from finalmile.courier.plan_store import get_plan, save_plan
from finalmile.courier.planning import CourierPlanning
from finalmile.courier.rest_of_day import RestOfDay, rest_of_day
from finalmile.courier.supersede import Replanned, store_replan
from finalmile.errors import NotFoundError, RetriableError
from finalmile.routing import (
    Budget,
    CheckReport,
    Plan,
    TravelSource,
    check_plan,
    configured,
    plan,
    replan_problem,
    with_unplaced,
)

log = structlog.get_logger(__name__)

DaySource = Callable[[dt.date], str | None]
"""Returns the day file (JSON) for a date, or ``None`` when there is nothing to plan."""


def plan_day_file(
    text: str, date: dt.date, seconds: float, *, travel_source: str
) -> tuple[Plan, CheckReport]:
    """Parse, price (``routing.travel``), plan and check one day (what the child process runs).

    Raises:
        RetriableError: the routing engine is down or busy.
        PermanentError: the routing engine refused the table.
    """
    day = load_day(text, source="day").on(date)
    matrix = TravelSource(travel_source).matrix(day.problem.points())
    result = plan(day.problem, matrix, Budget(seconds=seconds))
    report = check_plan(day.problem, result, matrix)
    return with_unplaced(result, day.unplaced), report


def plan_in_child(
    text: str, date: dt.date, seconds: float, *, travel_source: str
) -> tuple[Plan, CheckReport]:
    """``plan_day_file`` in a fresh child process, waiting for its answer (or its error)."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(plan_day_file, text, date, seconds, travel_source=travel_source).result()


def store_plan(
    planning: CourierPlanning,
    text: str,
    date: dt.date,
    seconds: float,
    outcome: tuple[Plan, CheckReport],
    *,
    travel_source: str,
) -> int:
    """Save a planned day with the day file it was made from (encrypted) and the travel source
    that priced it; returns the plan id."""
    result, report = outcome
    jobs = load_day(text, source="day").on(date).jobs
    with planning.sessions() as session, session.begin():
        return save_plan(
            session=session,
            plan_date=date,
            plan=result,
            report=report,
            jobs=jobs,
            budget_seconds=seconds,
            travel_source=travel_source,
            day_encrypted=planning.vault.encrypt(text.encode()),
        )


def plan_stored_day(planning: CourierPlanning, date: dt.date, seconds: float) -> int:
    """Plan ``date`` from the stored courier decisions, priced by the configured travel source,
    and store the plan; returns its id.

    Raises:
        NotFoundError: no stored courier order is due on ``date``.
        RetriableError: the routing engine is down or busy (nothing is stored).
    """
    text = stored_day(planning, date)
    if text is None:
        raise NotFoundError(f"no courier orders to plan on {date.isoformat()}")
    load_day(text, source="stored courier day")
    travel = configured(planning.routing_table_url)
    outcome = plan_in_child(text, date, seconds, travel_source=travel)
    return store_plan(planning, text, date, seconds, outcome, travel_source=travel)


def run_planning(
    *, planning: CourierPlanning, source: DaySource, date: dt.date, seconds: float
) -> int | None:
    """One planning run for ``date`` priced by the configured travel source: the stored plan's
    id, or ``None`` with nothing to plan.

    Raises:
        RetriableError: the routing engine is down or busy (nothing is stored).
    """
    text = source(date)
    if text is None:
        log.info("route_planning_skipped", date=date.isoformat())
        return None
    travel = configured(planning.routing_table_url)
    try:
        outcome = plan_in_child(text, date, seconds, travel_source=travel)
    except RetriableError as exc:
        log.warning("route_planning_failed", date=date.isoformat(), error=str(exc))
        raise
    plan_id = store_plan(planning, text, date, seconds, outcome, travel_source=travel)
    log.info("route_plan_stored", date=date.isoformat(), plan_id=plan_id, travel_source=travel)
    return plan_id


def add_planning_job(
    scheduler: Any,
    *,
    planning: CourierPlanning,
    source: DaySource,
    at: dt.time,
    zone: str,
    seconds: float,
    days_ahead: int = 1,
) -> Any:
    """Plan ``days_ahead`` days ahead every day at ``at`` (in ``zone``) on an APScheduler scheduler.

    One run at a time (``max_instances=1``); a run missed by less than an hour still runs.
    """
    # Deferred: APScheduler loads in the process that schedules jobs, not in every importer.
    from apscheduler.triggers.cron import CronTrigger  # noqa: PLC0415

    def job() -> None:
        today = dt.datetime.now(dt.UTC).astimezone(CronTrigger(timezone=zone).timezone).date()
        run_planning(
            planning=planning,
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


def replan_rest(rest: RestOfDay, seconds: float) -> tuple[Plan, CheckReport]:
    """Plan and check the rest of a day (what the child process runs), priced by the old plan's
    travel source; orders without a location that were not cancelled stay unassigned.

    Raises:
        RetriableError: the routing engine is down or busy.
    """
    day = load_day(rest.day, source="day").on(rest.plan_date)
    problem = replan_problem(
        day.problem,
        now=rest.now,
        progress=rest.progress,
        cancelled=rest.cancelled,
        absent=rest.absent,
    )
    matrix = TravelSource(rest.travel_source).matrix(problem.points())
    result = plan(problem, matrix, Budget(seconds=seconds))
    report = check_plan(problem, result, matrix)
    unplaced = tuple(u for u in day.unplaced if u not in set(rest.cancelled))
    return with_unplaced(result, unplaced), report


def replan_in_child(rest: RestOfDay, seconds: float) -> tuple[Plan, CheckReport]:
    """``replan_rest`` in a fresh child process, waiting for its answer."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(replan_rest, rest, seconds).result()


def run_replan(
    *,
    planning: CourierPlanning,
    plan_id: int,
    now: dt.datetime,
    seconds: float,
    actor: str,
    absent: Sequence[str] = (),
) -> Replanned:
    """Re-plan the rest of plan ``plan_id``'s day as of ``now`` with the courier orders stored
    now; store the new plan (superseding the old) and hand the stops that changed driver over
    (audited as ``actor``), in one transaction (``supersede.py``).

    Raises:
        NotFoundError: no such plan.
        ConflictError: the plan was superseded (before or during the run).
        InputError: the plan has no stored day, or an absent driver is not in it.
        RetriableError: the plan's routing engine is down or busy, or a driver reported, during
            the run, on a stop the new plan takes away from it (nothing is stored either way).
    """
    with planning.sessions() as session:
        plan_date = get_plan(session, plan_id).plan_date
    new_day = stored_day(planning, plan_date)
    with planning.sessions() as session:
        rest = rest_of_day(
            session, plan_id=plan_id, vault=planning.vault, now=now, absent=absent, new_day=new_day
        )
    outcome = replan_in_child(rest, seconds)
    replanned = store_replan(planning, rest, outcome, seconds=seconds, actor=actor)
    handover = replanned.handover
    log.info(
        "route_replan_stored",
        plan_id=replanned.plan_id,
        previous_plan_id=plan_id,
        reassigned=len(handover.reassigned),
        released=len(handover.released),
        kept=len(handover.kept),
        problems=len(handover.problems),
    )
    return replanned
