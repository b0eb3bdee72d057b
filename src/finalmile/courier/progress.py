"""What drivers reported, as the re-planner's ``DriverProgress``.

Rules (the driver app reports picked up, arrived, delivered and failed attempts per stop):

- a stop reported arrived, delivered or failed is **visited**: fixed, never re-planned (a failed
  attempt's package comes back with the driver; a new attempt is a new order or a new day);
- a driver with a visited stop is **on the road**: it is free at its last visited stop, when it
  reported (after the service time when it has only arrived there yet);
- it left the pharmacy at its last pick-up report, else at its planned departure (or its first
  stop report, if earlier): the earliest it can have left, so the cold-chain clock is never
  under-counted;
- on board are the stops it reported picked up and has not visited; a driver on the road that
  reported no pick-up at all carries every stop of its planned route it has not visited;
- a planned break that ended before the driver is free counts as taken.

A driver who only reported pick-ups is still at the pharmacy and free from its last pick-up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from finalmile.routing import DriverProgress, GeoPoint, RoutingProblem

PICKED_UP = "picked_up"
ARRIVED = "arrived"
VISITED = frozenset({ARRIVED, "delivered", "attempt_failed"})


@dataclass(frozen=True, slots=True)
class Report:
    """One driver update about one stop."""

    order_id: str
    kind: str
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class PlannedDay:
    """What the plan in force says about one driver's day."""

    driver_id: str
    departure: dt.datetime
    stops: tuple[str, ...]
    break_ends: tuple[dt.datetime, ...] = ()


def driver_progress(
    planned: PlannedDay, reports: Sequence[Report], problem: RoutingProblem
) -> DriverProgress | None:
    """The driver's progress from its reports (``None`` without any); ``problem`` is the planned
    day, for stop locations and service times."""
    if not reports:
        return None
    stops = {s.stop_id: s for s in problem.stops}
    ordered = sorted(reports, key=lambda r: r.at)
    last_kind = {r.order_id: r.kind for r in ordered}
    visited = tuple(dict.fromkeys(r.order_id for r in ordered if r.kind in VISITED))
    pickups = [r for r in ordered if r.kind == PICKED_UP]
    last_visit = next((r for r in reversed(ordered) if r.kind in VISITED), None)
    if last_visit is None:
        free_at = pickups[-1].at
        return DriverProgress(
            driver_id=planned.driver_id,
            fixed=(),
            on_board=tuple(dict.fromkeys(r.order_id for r in pickups)),
            position=_site_point(problem, planned.driver_id),
            free_at=free_at,
            departed=None,
            breaks_taken=sum(end <= free_at for end in planned.break_ends),
        )
    stop = stops.get(last_visit.order_id)
    free_at = last_visit.at
    if stop is not None and last_kind[last_visit.order_id] == ARRIVED:
        free_at += stop.service
    first_visit = next(r for r in ordered if r.kind in VISITED)
    departed = pickups[-1].at if pickups else min(planned.departure, first_visit.at)
    carried = (r.order_id for r in pickups) if pickups else iter(planned.stops)
    return DriverProgress(
        driver_id=planned.driver_id,
        fixed=visited,
        on_board=tuple(s for s in dict.fromkeys(carried) if s not in visited),
        # A visited stop outside the day (an order of another day): the driver's site stands in.
        position=stop.location if stop is not None else _site_point(problem, planned.driver_id),
        free_at=free_at,
        departed=departed,
        breaks_taken=sum(end <= free_at for end in planned.break_ends),
    )


def _site_point(problem: RoutingProblem, driver_id: str) -> GeoPoint:
    site = next(d.start_site for d in problem.drivers if d.driver_id == driver_id)
    return problem.sites[problem.site_index[site]].location
