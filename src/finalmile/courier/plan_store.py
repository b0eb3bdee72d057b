"""Saving plans and reading them back (routes, ETAs, unassigned stops with reasons, objective).

A plan keeps the day it was made from, encrypted, so its manifests, re-plans and ETA updates can
be built later; a re-plan copies the stops drivers already reported from the plan it supersedes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from finalmile.courier.manifest import eta_window
from finalmile.courier.plan_tables import PlannedRoute, PlannedStop, RoutePlan
from finalmile.courier.stops import CourierStop
from finalmile.db_types import utcnow
from finalmile.errors import NotFoundError
from finalmile.routing import CheckReport, Plan, Route


def save_plan(
    *,
    session: Session,
    plan_date: dt.date,
    plan: Plan,
    report: CheckReport,
    jobs: Mapping[str, CourierStop],
    budget_seconds: float,
    travel_source: str,
    day_encrypted: bytes | None = None,
    previous: RoutePlan | None = None,
    reported: Mapping[str, Sequence[PlannedStop]] | None = None,
) -> int:
    """Store ``plan`` for ``plan_date``, priced by ``travel_source`` (the caller commits);
    returns the plan's id.

    A re-plan names the ``previous`` plan (marked superseded) and passes, per driver, the stops
    already ``reported`` there: they head the driver's new route in the order they were reported,
    with their times as planned then.
    """
    now = utcnow()
    row = RoutePlan(
        plan_date=plan_date,
        created_at=now,
        objective=plan.objective,
        distance_m=report.distance_m,
        feasible=report.feasible,
        budget_seconds=budget_seconds,
        day_encrypted=day_encrypted,
        previous_plan_id=previous.id if previous else None,
        travel_source=travel_source,
    )
    session.add(row)
    if previous is not None:
        previous.superseded_at = now
        session.add(previous)
    session.flush()
    assert row.id is not None
    done = reported or {}
    routes = {r.driver_id: r for r in plan.routes}
    old_routes = _routes_by_driver(session, previous.id) if previous and previous.id else {}
    for driver_id in [*routes, *(d for d in done if d not in routes)]:
        route, kept = routes.get(driver_id), done.get(driver_id, ())
        old = old_routes.get(driver_id) if kept else None
        route_row = _route_row(row.id, driver_id, route, old, kept)
        session.add(route_row)
        session.flush()
        for sequence, visited in enumerate(kept, start=1):
            session.add(
                _copy_stop(visited, plan_id=row.id, route_id=route_row.id, sequence=sequence)
            )
        for sequence, visit in enumerate(route.visits if route else (), start=len(kept) + 1):
            eta_from, eta_to = eta_window(visit, jobs[visit.stop_id])
            session.add(
                PlannedStop(
                    plan_id=row.id,
                    route_id=route_row.id,
                    order_id=visit.stop_id,
                    sequence=sequence,
                    arrival=visit.arrival,
                    service_start=visit.service_start,
                    eta_from=eta_from,
                    eta_to=eta_to,
                )
            )
    for item in plan.unassigned:
        session.add(
            PlannedStop(plan_id=row.id, order_id=item.stop_id, unassigned_reason=item.reason)
        )
    session.flush()
    return row.id


def _routes_by_driver(session: Session, plan_id: int) -> dict[str, PlannedRoute]:
    rows = session.scalars(select(PlannedRoute).where(col(PlannedRoute.plan_id) == plan_id))
    return {r.driver_id: r for r in rows}


def _route_row(
    plan_id: int,
    driver_id: str,
    route: Route | None,
    old: PlannedRoute | None,
    kept: Sequence[PlannedStop],
) -> PlannedRoute:
    """A route row; a driver with reported stops keeps its old departure (``old``), and one with
    nothing left to plan its old route's times (or, with no old route, its reports' times)."""
    if route is None:
        reported = [s.reported_at for s in kept if s.reported_at is not None]
        return PlannedRoute(
            plan_id=plan_id,
            driver_id=driver_id,
            departure=old.departure if old else min(reported),
            return_time=old.return_time if old else max(reported),
            distance_m=0,
            breaks=old.breaks if old else [],
        )
    return PlannedRoute(
        plan_id=plan_id,
        driver_id=driver_id,
        departure=old.departure if old else route.departure,
        return_time=route.return_time,
        distance_m=route.distance_m,
        breaks=[{"from": b.start.isoformat(), "to": b.end.isoformat()} for b in route.breaks],
    )


def _copy_stop(
    old: PlannedStop, *, plan_id: int, route_id: int | None, sequence: int
) -> PlannedStop:
    return PlannedStop(
        plan_id=plan_id,
        route_id=route_id,
        order_id=old.order_id,
        sequence=sequence,
        arrival=old.arrival,
        service_start=old.service_start,
        eta_from=old.eta_from,
        eta_to=old.eta_to,
        late=old.late,
        eta_updated_at=old.eta_updated_at,
        reported=old.reported,
        reported_at=old.reported_at,
    )


def get_plan(session: Session, plan_id: int, *, for_update: bool = False) -> RoutePlan:
    """The plan row.

    Raises:
        NotFoundError: no plan has that id.
    """
    row = session.get(RoutePlan, plan_id, with_for_update=for_update)
    if row is None:
        raise NotFoundError(f"no route plan {plan_id}")
    return row


def route_stops(session: Session, route_id: int) -> list[PlannedStop]:
    """A stored route's stops in sequence."""
    return list(
        session.scalars(
            select(PlannedStop)
            .where(col(PlannedStop.route_id) == route_id)
            .order_by(col(PlannedStop.sequence))
        )
    )


def _routes(session: Session, plan_id: int) -> list[PlannedRoute]:
    return list(
        session.scalars(
            select(PlannedRoute)
            .where(col(PlannedRoute.plan_id) == plan_id)
            .order_by(col(PlannedRoute.id))
        )
    )


def plan_record(*, session: Session, plan_id: int) -> dict[str, Any]:
    """A stored plan as JSON-ready data.

    Raises:
        NotFoundError: no plan has that id.
    """
    row = get_plan(session, plan_id)
    routes = _routes(session, plan_id)
    stops = session.scalars(
        select(PlannedStop)
        .where(col(PlannedStop.plan_id) == plan_id)
        .order_by(col(PlannedStop.route_id), col(PlannedStop.sequence), col(PlannedStop.order_id))
    ).all()
    by_route: dict[int | None, list[PlannedStop]] = {}
    for stop in stops:
        by_route.setdefault(stop.route_id, []).append(stop)
    return {
        "plan_id": row.id,
        "plan_date": row.plan_date.isoformat(),
        "created_at": row.created_at.isoformat(),
        "objective": row.objective,
        "distance_km": round(row.distance_m / 1000, 1),
        "feasible": row.feasible,
        "travel_source": row.travel_source,
        "previous_plan_id": row.previous_plan_id,
        "superseded_at": _iso(row.superseded_at),
        "routes": [
            {
                "driver_id": r.driver_id,
                "departure": r.departure.isoformat(),
                "return": r.return_time.isoformat(),
                "distance_km": round(r.distance_m / 1000, 1),
                "breaks": r.breaks,
                "stops": [_stop(s) for s in by_route.get(r.id, [])],
            }
            for r in routes
        ],
        "unassigned": [
            {"order_id": s.order_id, "reason": s.unassigned_reason} for s in by_route.get(None, [])
        ],
    }


def plan_etas(*, session: Session, plan_id: int) -> dict[str, Any]:
    """The current ETA windows of a stored plan's routed stops, by driver, in route order.

    Raises:
        NotFoundError: no plan has that id.
    """
    row = get_plan(session, plan_id)
    routes = _routes(session, plan_id)
    return {
        "plan_id": row.id,
        "superseded_at": _iso(row.superseded_at),
        "routes": [
            {"driver_id": r.driver_id, "stops": [_stop(s) for s in route_stops(session, r.id)]}
            for r in routes
            if r.id is not None
        ],
    }


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _stop(stop: PlannedStop) -> dict[str, Any]:
    return {
        "sequence": stop.sequence,
        "order_id": stop.order_id,
        "arrival": _iso(stop.arrival),
        "service_start": _iso(stop.service_start),
        "eta": {"from": _iso(stop.eta_from), "to": _iso(stop.eta_to)},
        "late": stop.late,
        "eta_updated_at": _iso(stop.eta_updated_at),
        "reported": stop.reported,
        "reported_at": _iso(stop.reported_at),
    }
