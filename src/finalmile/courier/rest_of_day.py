"""Re-planning a stored plan: the rest of its day from what changed since it was made.

The input is the day the plan was made from plus the courier orders decided for that date since
(``stored_day``), minus orders cancelled (or overridden to go another way) since; drivers'
progress comes from their updates (``progress.py``); drivers named absent are left out. The
search runs in a child process like a plan (``jobs.py``); the result is checked by the
independent checker against the rest-of-day problem, and stored as a new plan that supersedes
the old one, with each driver's visited stops heading its route.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from finalmile.courier.assignments import Assignment, assignments_of, courier_shipments
from finalmile.courier.codes import CourierCode
from finalmile.courier.dayfile import DayIn
from finalmile.courier.driver_tables import Driver as DriverRow
from finalmile.courier.driver_tables import DriverUpdate
from finalmile.courier.plan_days import plan_day, plan_day_text
from finalmile.courier.plan_store import get_plan, route_stops
from finalmile.courier.plan_tables import PlannedRoute, PlannedStop, RoutePlan
from finalmile.courier.progress import VISITED, PlannedDay, Report, driver_progress
from finalmile.errors import ConflictError, InputError
from finalmile.orders import Order, OrderStatus
from finalmile.routing import DriverProgress
from finalmile.rules import DeliveryType, current_decision
from finalmile.vault import Vault


@dataclass(frozen=True, slots=True)
class RestOfDay:
    """Everything a re-plan needs, read from storage (picklable for the child process).

    ``day`` is the day-file JSON of the old day plus new orders; ``visits`` lists, per driver,
    the last report of each stop it visited, in the order visited (they head its new route).
    ``drivers`` and ``order_ids`` are the day's, and ``seen`` the driver updates read: storing
    the re-plan reads the updates again and takes in those that came during the search.
    ``assignments`` are the day's stop assignments read: a stop assigned since keeps its driver.
    ``travel_source`` is the old plan's: the re-plan is priced the same way.
    """

    plan_id: int
    plan_date: dt.date
    travel_source: str
    day: str
    now: dt.datetime
    progress: tuple[DriverProgress, ...]
    cancelled: tuple[str, ...]
    absent: tuple[str, ...]
    visits: dict[str, tuple[Report, ...]]
    drivers: frozenset[str]
    order_ids: frozenset[str]
    seen: frozenset[int]
    assignments: frozenset[Assignment]


@dataclass(frozen=True, slots=True)
class DriverReport:
    """One stored driver update about a stop of the day: its id, the driver, the report."""

    update_id: int
    driver_id: str
    report: Report


def rest_of_day(
    session: Session,
    *,
    plan_id: int,
    vault: Vault,
    now: dt.datetime,
    absent: Iterable[str] = (),
    new_day: str | None = None,
) -> RestOfDay:
    """Read the rest of plan ``plan_id``'s day as of ``now``; ``new_day`` is the day-file JSON of
    the date's courier orders as stored now (``stored_day``), if any.

    Raises:
        NotFoundError: no such plan.
        ConflictError: the plan was superseded.
        InputError: the plan has no stored day, or an absent driver is unknown.
    """
    row = get_plan(session, plan_id)
    must_be_in_force(row)
    text, day = plan_day_text(row, vault), plan_day(row, vault)
    absent = tuple(dict.fromkeys(absent))
    drivers = {d.driver_id for d in day.problem.drivers}
    for n, name in enumerate(absent):
        if name not in drivers:
            raise InputError(f"no driver {name!r} in the plan", location=f"absent[{n}]")
    merged = _with_new_jobs(text, new_day) if new_day else text
    order_ids = set(day.jobs) | _order_ids(DayIn.model_validate_json(merged))
    rows = day_reports(session, drivers=drivers, order_ids=order_ids)
    reports = _by_driver(rows)
    planned = _planned(session, plan_id)
    progress = []
    for driver in day.problem.drivers:
        plan = planned.get(driver.driver_id) or PlannedDay(driver.driver_id, driver.shift_start, ())
        found = driver_progress(plan, reports.get(driver.driver_id, ()), day.problem)
        if found is not None:
            progress.append(found)
    return RestOfDay(
        plan_id=plan_id,
        plan_date=row.plan_date,
        travel_source=row.travel_source,
        day=merged,
        now=now,
        progress=tuple(progress),
        cancelled=_cancelled(session, order_ids),
        absent=absent,
        visits=visits_of(rows),
        drivers=frozenset(drivers),
        order_ids=frozenset(order_ids),
        seen=frozenset(r.update_id for r in rows),
        assignments=frozenset(
            assignments_of(session, courier_shipments(session, order_ids)).values()
        ),
    )


def must_be_in_force(row: RoutePlan) -> None:
    """Refuse to re-plan a superseded plan (the newest plan of the day is the one in force).

    Raises:
        ConflictError: ``row`` was superseded.
    """
    if row.superseded_at is not None:
        raise ConflictError(
            f"route plan {row.id} was superseded; re-plan the newest plan of the day",
            location="plan_id",
            code=CourierCode.SUPERSEDED,
        )


def _with_new_jobs(old: str, new: str) -> str:
    """``old`` plus the sites, drivers, jobs and unplaced orders of ``new`` it does not have."""
    try:
        before, after = DayIn.model_validate_json(old), DayIn.model_validate_json(new)
    except ValidationError as exc:
        raise InputError("stored day is invalid", location="day", code=CourierCode.INVALID) from exc
    sites = {s.site_id for s in before.sites}
    drivers = {d.driver_id for d in before.drivers}
    jobs = _order_ids(before)
    merged = before.model_copy(
        update={
            "sites": before.sites + tuple(s for s in after.sites if s.site_id not in sites),
            "drivers": before.drivers
            + tuple(d for d in after.drivers if d.driver_id not in drivers),
            "jobs": before.jobs + tuple(j for j in after.jobs if j.order.order_id not in jobs),
            "unplaced": tuple(dict.fromkeys(before.unplaced + after.unplaced)),
        }
    )
    return merged.model_dump_json()


def _order_ids(day: DayIn) -> set[str]:
    return {job.order.order_id for job in day.jobs}


def visits_of(rows: Iterable[DriverReport]) -> dict[str, tuple[Report, ...]]:
    """Per driver, the last report of each stop it visited, in the order first visited; a stop
    two drivers reported belongs to the one that reported it last."""
    last: dict[str, tuple[str, Report]] = {}
    first: dict[str, dt.datetime] = {}
    for driver_id, items in _by_driver(rows).items():
        for report in items:
            if report.kind not in VISITED:
                continue
            first[report.order_id] = min(first.get(report.order_id, report.at), report.at)
            if report.order_id not in last or last[report.order_id][1].at <= report.at:
                last[report.order_id] = (driver_id, report)
    out: dict[str, list[Report]] = {}
    for order_id in sorted(last, key=lambda o: first[o]):
        driver_id, report = last[order_id]
        out.setdefault(driver_id, []).append(report)
    return {driver_id: tuple(items) for driver_id, items in out.items()}


def day_reports(
    session: Session, *, drivers: Iterable[str], order_ids: Iterable[str]
) -> list[DriverReport]:
    """The stored updates of ``drivers`` about ``order_ids``, oldest first."""
    statement = (
        select(
            col(DriverUpdate.id),
            col(DriverRow.driver_id),
            col(Order.order_id),
            col(DriverUpdate.kind),
            col(DriverUpdate.occurred_at),
        )
        .join(DriverRow, col(DriverRow.id) == col(DriverUpdate.driver_pk))
        .join(Order, col(Order.id) == col(DriverUpdate.order_pk))
        .where(col(DriverRow.driver_id).in_(set(drivers)), col(Order.order_id).in_(set(order_ids)))
        .order_by(col(DriverUpdate.occurred_at), col(DriverUpdate.id))
    )
    out = []
    for update_id, driver_id, order_id, kind, at in session.execute(statement):
        assert update_id is not None
        out.append(DriverReport(update_id, driver_id, Report(order_id, kind, at)))
    return out


def _by_driver(rows: Iterable[DriverReport]) -> dict[str, list[Report]]:
    out: dict[str, list[Report]] = {}
    for row in rows:
        out.setdefault(row.driver_id, []).append(row.report)
    return out


def _planned(session: Session, plan_id: int) -> dict[str, PlannedDay]:
    out = {}
    routes = session.scalars(select(PlannedRoute).where(col(PlannedRoute.plan_id) == plan_id))
    for route in routes:
        assert route.id is not None
        out[route.driver_id] = PlannedDay(
            driver_id=route.driver_id,
            departure=route.departure,
            stops=tuple(s.order_id for s in route_stops(session, route.id)),
            break_ends=tuple(dt.datetime.fromisoformat(b["to"]) for b in route.breaks),
        )
    return out


def _cancelled(session: Session, order_ids: set[str]) -> tuple[str, ...]:
    """The day's orders that left it: cancelled, or overridden to go another way."""
    rows = session.execute(
        select(col(Order.id), col(Order.order_id), col(Order.status)).where(
            col(Order.order_id).in_(order_ids)
        )
    )
    gone = set()
    for order_pk, order_id, status in rows:
        if status == OrderStatus.CANCELLED:
            gone.add(order_id)
            continue
        assert order_pk is not None
        record = current_decision(session=session, order_pk=order_pk)
        if (
            record is not None
            and record.overrides_id is not None
            and record.delivery_type is not DeliveryType.COURIER
        ):
            gone.add(order_id)
    return tuple(sorted(gone))


def reported_rows(
    session: Session, *, plan_id: int, visits: dict[str, tuple[Report, ...]]
) -> dict[str, Sequence[PlannedStop]]:
    """Rows for each driver's visited stops, in the order visited: the old plan's times and ETA
    with the driver's last report on the stop."""
    rows = {
        s.order_id: s
        for s in session.scalars(select(PlannedStop).where(col(PlannedStop.plan_id) == plan_id))
    }
    return {
        driver_id: [_visited(rows.get(r.order_id), r, plan_id) for r in reports]
        for driver_id, reports in visits.items()
    }


def _visited(old: PlannedStop | None, report: Report, plan_id: int) -> PlannedStop:
    row = PlannedStop(plan_id=plan_id, order_id=report.order_id)
    if old is not None:
        row.arrival, row.service_start = old.arrival, old.service_start
        row.eta_from, row.eta_to, row.late = old.eta_from, old.eta_to, old.late
        row.eta_updated_at = old.eta_updated_at
    row.reported, row.reported_at = report.kind, report.at
    return row
