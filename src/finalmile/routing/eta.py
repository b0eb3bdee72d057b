"""ETAs that follow the driver: re-time the rest of a route from a progress report.

The order of the remaining stops is kept (re-ordering is a re-plan, ``replan.py``); each stop's
handover is predicted from where and when the driver is free, the road and the windows. A stop the
driver can no longer reach inside a window is predicted late (``late=True``) instead of dropped, so
the patient can be told.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from finalmile.errors import InputError
from finalmile.routing.matrix import TravelMatrix
from finalmile.routing.plan import Route, Visit
from finalmile.routing.problem import RoutingProblem


@dataclass(frozen=True, slots=True)
class Eta:
    """The predicted visit of one remaining stop."""

    visit: Visit
    late: bool


def remaining_etas(
    problem: RoutingProblem,
    matrix: TravelMatrix,
    route: Route,
    *,
    done: int,
    free_at: dt.datetime,
) -> tuple[Eta, ...]:
    """Predict the visits after the first ``done`` ones of ``route``.

    The driver is at its last finished stop (the start site when ``done`` is 0) from ``free_at``.
    Breaks planned on a later leg are kept there, not before their planned start.

    Raises:
        InputError: ``done`` is outside the route.
    """
    if not 0 <= done <= len(route.visits):
        raise InputError("done must be within the route's visits", location="done")
    index = {s.stop_id: i for i, s in enumerate(problem.stops)}
    driver = next(d for d in problem.drivers if d.driver_id == route.driver_id)
    here = (
        problem.site_index[driver.start_site]
        if done == 0
        else problem.stop_point(index[route.visits[done - 1].stop_id])
    )
    now = free_at
    out: list[Eta] = []
    for position in range(done, len(route.visits)):
        for pause in route.breaks:
            if pause.after_visits == position and pause.end > now:
                now = max(now, pause.start) + (pause.end - pause.start)
        stop_index = index[route.visits[position].stop_id]
        stop = problem.stops[stop_index]
        there = problem.stop_point(stop_index)
        arrival = now + dt.timedelta(seconds=int(matrix.duration_s[here, there]))
        open_window = next((w for w in stop.windows if arrival <= w.end), None)
        start = arrival if open_window is None else max(arrival, open_window.start)
        visit = Visit(stop.stop_id, arrival, start, start + stop.service)
        out.append(Eta(visit, late=open_window is None))
        now, here = visit.departure, there
    return tuple(out)
