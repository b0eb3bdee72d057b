"""Saving plans and reading them back (routes, ETAs, unassigned stops with reasons, objective)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from finalmile.db_types import utcnow
from finalmile.errors import NotFoundError
from finalmile.routing.check import CheckReport
from finalmile.routing.courier import CourierStop
from finalmile.routing.manifest import eta_window
from finalmile.routing.models import PlannedRoute, PlannedStop, RoutePlan
from finalmile.routing.plan import Plan


def save_plan(
    *,
    session: Session,
    plan_date: dt.date,
    plan: Plan,
    report: CheckReport,
    jobs: Mapping[str, CourierStop],
    budget_seconds: float,
) -> int:
    """Store ``plan`` for ``plan_date`` (the caller commits); returns the plan's id."""
    row = RoutePlan(
        plan_date=plan_date,
        created_at=utcnow(),
        objective=plan.objective,
        distance_m=report.distance_m,
        feasible=report.feasible,
        budget_seconds=budget_seconds,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    for route in plan.routes:
        route_row = PlannedRoute(
            plan_id=row.id,
            driver_id=route.driver_id,
            departure=route.departure,
            return_time=route.return_time,
            distance_m=route.distance_m,
            breaks=[{"from": b.start.isoformat(), "to": b.end.isoformat()} for b in route.breaks],
        )
        session.add(route_row)
        session.flush()
        for sequence, visit in enumerate(route.visits, start=1):
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


def plan_record(*, session: Session, plan_id: int) -> dict[str, Any]:
    """A stored plan as JSON-ready data.

    Raises:
        NotFoundError: no plan has that id.
    """
    row = session.get(RoutePlan, plan_id)
    if row is None:
        raise NotFoundError(f"no route plan {plan_id}")
    routes = session.scalars(
        select(PlannedRoute)
        .where(col(PlannedRoute.plan_id) == plan_id)
        .order_by(col(PlannedRoute.id))
    ).all()
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


def _stop(stop: PlannedStop) -> dict[str, Any]:
    def iso(value: dt.datetime | None) -> str | None:
        return None if value is None else value.isoformat()

    return {
        "sequence": stop.sequence,
        "order_id": stop.order_id,
        "arrival": iso(stop.arrival),
        "service_start": iso(stop.service_start),
        "eta": {"from": iso(stop.eta_from), "to": iso(stop.eta_to)},
    }
