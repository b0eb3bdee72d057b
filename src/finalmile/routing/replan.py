"""Re-planning during the day: keep what is done or under way, absorb what changed.

Stops a driver has delivered or is driving to are fixed: they leave the problem, and the driver
re-enters it where and when it will be free. A driver already on the road can only deliver what
is in its vehicle (those packages get the driver's position as their origin) and keeps the
cold-chain clock it started when it left the pharmacy. New same-day stops are added, cancelled
ones removed, and drivers who called in sick removed; their packages are back at the pharmacy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from finalmile.errors import InputError
from finalmile.routing.codes import RoutingCode
from finalmile.routing.problem import Driver, GeoPoint, RoutingProblem, Site, Stop


@dataclass(frozen=True, slots=True)
class DriverProgress:
    """What a driver reported.

    Args:
        fixed: stops delivered or en route; they are not re-planned.
        on_board: stops whose packages are in the vehicle besides those.
        position: where the driver will be free (the en-route stop, or where it is now).
        free_at: when it will be free there.
        departed: when it left the pharmacy; ``None`` while it has not left yet.
        breaks_taken: how many of its breaks it has had.
    """

    driver_id: str
    fixed: tuple[str, ...]
    on_board: tuple[str, ...]
    position: GeoPoint
    free_at: dt.datetime
    departed: dt.datetime | None
    breaks_taken: int = 0


def road_site_id(driver_id: str) -> str:
    """The id of the stand-in site at a driver's position on the road."""
    return f"{driver_id}@road"


def replan_problem(
    problem: RoutingProblem,
    *,
    now: dt.datetime,
    progress: Sequence[DriverProgress] = (),
    new_stops: Iterable[Stop] = (),
    cancelled: Iterable[str] = (),
    absent: Iterable[str] = (),
) -> RoutingProblem:
    """The rest of the day as a new problem (price it with a matrix over its ``points()``).

    Raises:
        InputError: progress names an unknown driver.
    """
    drivers = {d.driver_id: d for d in problem.drivers}
    for n, item in enumerate(progress):
        if item.driver_id not in drivers:
            raise InputError(
                "unknown driver", location=f"progress[{n}].driver_id", code=RoutingCode.UNKNOWN
            )
    gone = set(cancelled) | {s for item in progress for s in item.fixed}
    absent = set(absent)
    on_road = {p.driver_id: p for p in progress if p.departed is not None}
    carried = {
        stop_id: road_site_id(item.driver_id)
        for item in progress
        if item.departed is not None and item.driver_id not in absent
        for stop_id in item.on_board
    }
    stops = [
        replace(s, origin_site=carried.get(s.stop_id, s.origin_site))
        for s in problem.stops
        if s.stop_id not in gone
    ]
    stops += list(new_stops)
    sites = list(problem.sites)
    reported = {p.driver_id: p for p in progress}
    kept: list[Driver] = []
    for driver in problem.drivers:
        if driver.driver_id in absent:
            continue
        report = reported.get(driver.driver_id)
        start = max(driver.shift_start, now, report.free_at if report else now)
        if start >= driver.shift_end:
            continue
        changed = replace(driver, shift_start=start)
        if report is not None:
            # A break whose window has passed untaken cannot be planned any more.
            due = [b for b in driver.breaks[report.breaks_taken :] if b.latest >= start]
            changed = replace(changed, breaks=tuple(due))
        if driver.driver_id in on_road:
            site = road_site_id(driver.driver_id)
            sites.append(Site(site, on_road[driver.driver_id].position))
            changed = replace(changed, start_site=site, departed=on_road[driver.driver_id].departed)
        kept.append(changed)
    return RoutingProblem(tuple(sites), tuple(stops), tuple(kept))
