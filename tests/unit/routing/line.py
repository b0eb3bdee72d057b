"""Hand-made routing days on a straight road: 1 km per unit, 1 minute per km.

Positions make optimal answers easy to work out by hand: a driver at 0 visiting stops at 2 and 5
and coming back drives 10 km, whatever the order it takes them in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from finalmile.routing import Driver, GeoPoint, RoutingProblem, Site, Stop, TimeWindow, TravelMatrix

PATIENT_TZ = ZoneInfo("America/Chicago")
DAY = dt.date(2026, 11, 24)


def at(hhmm: str) -> dt.datetime:
    """A moment on the test day, in the patients' time zone."""
    hour, minute = (int(p) for p in hhmm.split(":"))
    return dt.datetime.combine(DAY, dt.time(hour, minute), tzinfo=PATIENT_TZ)


def window(start: str, end: str) -> TimeWindow:
    return TimeWindow(at(start), at(end))


def on_line(x: float) -> GeoPoint:
    """A point at ``x`` km along the road (the planner only ever sees the matrix)."""
    return GeoPoint(lat=0.0, lon=x)


def stop(stop_id: str, x: float, *windows: TimeWindow, **fields: Any) -> Stop:
    """A stop at ``x`` km; default window all day, no service time."""
    return Stop(
        stop_id=stop_id,
        location=on_line(x),
        windows=windows or (window("08:00", "20:00"),),
        service=fields.pop("service", dt.timedelta(0)),
        **fields,
    )


def driver(driver_id: str, start: str = "08:00", end: str = "18:00", **fields: Any) -> Driver:
    """A driver based at site ``A`` unless told otherwise."""
    return Driver(
        driver_id=driver_id,
        shift_start=at(start),
        shift_end=at(end),
        start_site=fields.pop("start_site", "A"),
        end_site=fields.pop("end_site", "A"),
        capacity=fields.pop("capacity", 10),
        **fields,
    )


def day(
    stops: Sequence[Stop], drivers: Sequence[Driver], sites: dict[str, float] | None = None
) -> tuple[RoutingProblem, TravelMatrix]:
    """The problem and its line matrix (sites default to ``A`` at 0 km)."""
    sites = sites or {"A": 0.0}
    problem = RoutingProblem(
        tuple(Site(name, on_line(x)) for name, x in sites.items()), tuple(stops), tuple(drivers)
    )
    return problem, line_matrix(problem)


def line_matrix(problem: RoutingProblem) -> TravelMatrix:
    """Metres and seconds along the road between every pair of the problem's points."""
    xs = np.array([p.lon for p in problem.points()])
    km = np.abs(xs[:, None] - xs[None, :])
    return TravelMatrix(np.rint(km * 1000).astype(np.int64), np.rint(km * 60).astype(np.int64))
