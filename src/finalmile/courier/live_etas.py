"""ETAs that follow driver progress: each arrived / delivered / failed report re-times the rest
of the driver's route in the plan in force and stores the new ETA windows.

The plan in force for a report is the newest plan not superseded whose route for that driver holds
the stop. The reported stop records the report; every stop of the route not reported yet keeps its
planned order and is re-timed with ``remaining_etas`` from where and when the driver is free
(after the service time when it has only arrived), on the travel source the plan was priced on
(``travel.py``; an engine gets ``ETA_TIMEOUT_S`` to answer, and when it fails the report is still
recorded and the ETAs stay). A stop that can no longer be reached inside a window is flagged
``late``.
"""

from __future__ import annotations

import datetime as dt

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from finalmile.courier.dayfile import CourierDay
from finalmile.courier.manifest import eta_window
from finalmile.courier.plan_days import plan_day
from finalmile.courier.plan_store import route_stops
from finalmile.courier.plan_tables import PlannedRoute, PlannedStop, RoutePlan
from finalmile.courier.progress import ARRIVED, VISITED
from finalmile.errors import PermanentError, RetriableError
from finalmile.routing import (
    ETA_TIMEOUT_S,
    Route,
    RoutingProblem,
    ScheduledBreak,
    TravelSource,
    Visit,
    remaining_etas,
)
from finalmile.vault import Vault

log = structlog.get_logger(__name__)


def retime_after_report(
    session: Session,
    *,
    driver_id: str,
    order_id: str,
    kind: str,
    at: dt.datetime,
    vault: Vault,
    now: dt.datetime,
) -> int:
    """Record a driver's report on its planned stop and re-time the rest of its route, in the
    caller's transaction; returns how many stops got a new ETA (0 when the stop is in no plan in
    force, the report is not a visit, the plan has no stored day, or its routing engine failed:
    the report is recorded, the ETAs stay as they were and the failure is logged)."""
    if kind not in VISITED:
        return 0
    found = _plan_stop(session, driver_id, order_id)
    if found is None:
        return 0
    stop, route, plan = found
    stop.reported, stop.reported_at = kind, at
    session.add(stop)
    if plan.day_encrypted is None:
        return 0
    day = plan_day(plan, vault)
    assert route.id is not None
    rest = [s for s in route_stops(session, route.id) if s.reported is None and s is not stop]
    if stop.order_id not in day.jobs or any(s.order_id not in day.jobs for s in rest):
        return 0
    service = day.jobs[stop.order_id].to_stop().service
    free_at = at + service if kind == ARRIVED else at
    problem = _route_problem(day, driver_id, [stop, *rest])
    try:
        matrix = TravelSource(plan.travel_source, ETA_TIMEOUT_S).matrix(problem.points())
    except (RetriableError, PermanentError) as exc:
        log.warning("eta_retime_failed", plan_id=plan.id, driver_id=driver_id, error=str(exc))
        return 0
    etas = remaining_etas(problem, matrix, _as_route(route, stop, rest), done=1, free_at=free_at)
    for row, eta in zip(rest, etas, strict=True):
        row.eta_from, row.eta_to = eta_window(eta.visit, day.jobs[row.order_id])
        row.late, row.eta_updated_at = eta.late, now
        session.add(row)
    return len(rest)


def _plan_stop(
    session: Session, driver_id: str, order_id: str
) -> tuple[PlannedStop, PlannedRoute, RoutePlan] | None:
    statement = (
        select(PlannedStop, PlannedRoute, RoutePlan)
        .join(PlannedRoute, col(PlannedRoute.id) == col(PlannedStop.route_id))
        .join(RoutePlan, col(RoutePlan.id) == col(PlannedStop.plan_id))
        .where(
            col(PlannedStop.order_id) == order_id,
            col(PlannedRoute.driver_id) == driver_id,
            col(RoutePlan.superseded_at).is_(None),
        )
        .order_by(col(RoutePlan.id).desc())
        .limit(1)
    )
    row = session.execute(statement).first()
    return None if row is None else (row[0], row[1], row[2])


def _route_problem(day: CourierDay, driver_id: str, stops: list[PlannedStop]) -> RoutingProblem:
    """The day cut down to one driver and its route's stops (cheap to price and time)."""
    driver = next(d for d in day.problem.drivers if d.driver_id == driver_id)
    wanted = {s.order_id for s in stops}
    return RoutingProblem(
        day.problem.sites,
        tuple(s for s in day.problem.stops if s.stop_id in wanted),
        (driver,),
    )


def _as_route(route: PlannedRoute, current: PlannedStop, rest: list[PlannedStop]) -> Route:
    """The reported stop followed by the stops not reported yet, in planned order, with each
    planned break still ahead moved to the leg it now falls on (visits keep their planned times:
    ``remaining_etas`` reads only their order)."""
    order = [current, *rest]
    visits = tuple(
        Visit(
            s.order_id,
            s.arrival or route.departure,
            s.service_start or route.departure,
            s.service_start or route.departure,
        )
        for s in order
    )
    breaks = []
    for pause in route.breaks:
        start, end = (
            dt.datetime.fromisoformat(pause["from"]),
            dt.datetime.fromisoformat(pause["to"]),
        )
        ahead = sum(1 for s in rest if s.service_start is not None and s.service_start < start)
        breaks.append(ScheduledBreak(1 + ahead, start, end))
    return Route(route.driver_id, route.departure, visits, tuple(breaks), route.return_time, 0)
