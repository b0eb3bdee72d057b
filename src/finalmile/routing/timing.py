"""The day in integer seconds: the planner's compact view of stops and drivers, and route timing.

``time_route`` times one driver's stop sequence: leave at the shift start, serve each stop as early
as its windows allow, take each break where it costs nothing (inside waiting time) or where
postponing it would miss its latest start, then leave the depot as late as the first stop's
waiting time allows (less time in the cooler; a driver re-planned on the road keeps the cold-chain
clock it started when it left the pharmacy). It reports the first stop that cannot be kept.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from finalmile.routing.problem import Driver, RoutingProblem, Stop

if TYPE_CHECKING:
    from finalmile.routing.matrix import IntMatrix


@dataclass(frozen=True, slots=True)
class Clock:
    """Converts between aware datetimes and integer seconds from ``epoch``."""

    epoch: dt.datetime

    def sec(self, moment: dt.datetime) -> int:
        """Seconds from the epoch (floored)."""
        return int((moment - self.epoch).total_seconds() // 1)

    def at(self, seconds: int) -> dt.datetime:
        """The moment ``seconds`` after the epoch, in UTC."""
        return (self.epoch + dt.timedelta(seconds=seconds)).astimezone(dt.UTC)


def day_clock(problem: RoutingProblem) -> Clock:
    """A clock whose epoch precedes every shift and window of the day."""
    moments = [d.shift_start for d in problem.drivers]
    moments += [w.start for s in problem.stops for w in s.windows]
    return Clock(min(moments) if moments else dt.datetime(2000, 1, 1, tzinfo=dt.UTC))


@dataclass(frozen=True, slots=True)
class StopSec:
    """A stop in seconds: matrix point, windows (earliest, latest service start), limits, load."""

    index: int
    point: int
    windows: tuple[tuple[int, int], ...]
    service: int
    cold_limit: int | None
    packages: int
    cold_packages: int


@dataclass(frozen=True, slots=True)
class DriverSec:
    """A driver in seconds: depots as matrix points, shift, breaks (earliest, latest, length)."""

    index: int
    start_point: int
    end_point: int
    shift: tuple[int, int]
    breaks: tuple[tuple[int, int, int], ...]
    capacity: int
    cooler_capacity: int
    cold_anchor: int | None = None
    """When the cold-chain clock started for a driver already on the road (else: departure)."""


def stop_sec(problem: RoutingProblem, clock: Clock, index: int) -> StopSec:
    """``problem.stops[index]`` in seconds."""
    stop: Stop = problem.stops[index]
    limit = stop.cold_chain_limit
    return StopSec(
        index=index,
        point=problem.stop_point(index),
        windows=tuple(sorted((clock.sec(w.start), clock.sec(w.end)) for w in stop.windows)),
        service=int(stop.service.total_seconds()),
        cold_limit=None if limit is None else int(limit.total_seconds()),
        packages=stop.packages,
        cold_packages=stop.cold_packages,
    )


def driver_sec(problem: RoutingProblem, clock: Clock, index: int) -> DriverSec:
    """``problem.drivers[index]`` in seconds."""
    driver: Driver = problem.drivers[index]
    return DriverSec(
        index=index,
        start_point=problem.site_index[driver.start_site],
        end_point=problem.site_index[driver.end_site],
        shift=(clock.sec(driver.shift_start), clock.sec(driver.shift_end)),
        breaks=tuple(
            (clock.sec(b.earliest), clock.sec(b.latest), int(b.duration.total_seconds()))
            for b in sorted(driver.breaks, key=lambda b: b.earliest)
        ),
        capacity=driver.capacity,
        cooler_capacity=driver.cooler_capacity,
        cold_anchor=None if driver.departed is None else clock.sec(driver.departed),
    )


@dataclass(frozen=True, slots=True)
class TimedRoute:
    """A feasible timing: per visit (arrival, service start, departure), breaks, depot times."""

    departure: int
    visits: tuple[tuple[int, int, int], ...]
    breaks: tuple[tuple[int, int, int], ...]
    return_time: int
    distance: int


@dataclass(frozen=True, slots=True)
class Infeasible:
    """The route cannot be kept: dropping one of the stops up to ``position`` may mend it."""

    position: int


def service_start(windows: tuple[tuple[int, int], ...], arrival: int) -> int | None:
    """The earliest service start at or after ``arrival`` inside a window, if any."""
    for early, late in windows:
        if arrival <= late:
            return max(arrival, early)
    return None


def time_route(
    driver: DriverSec,
    order: list[StopSec],
    duration: IntMatrix,
    distance: IntMatrix,
) -> TimedRoute | Infeasible:
    """Time ``order`` for ``driver``; see the module docstring for the policy."""
    last = max(len(order) - 1, 0)
    if sum(s.packages for s in order) > driver.capacity:
        return Infeasible(last)
    if sum(s.cold_packages for s in order) > driver.cooler_capacity:
        return Infeasible(last)
    now, here = driver.shift[0], driver.start_point
    pending = list(driver.breaks)
    breaks: list[tuple[int, int, int]] = []
    visits: list[tuple[int, int, int]] = []
    for position, stop in enumerate(order):
        travel = int(duration[here, stop.point])
        start = service_start(stop.windows, now + travel)
        while pending:
            earliest, latest, length = pending[0]
            begin = max(now, earliest)
            if begin > latest:
                return Infeasible(max(position - 1, 0))
            delayed = service_start(stop.windows, begin + length + travel)
            free = delayed is not None and delayed == start
            forced = start is None or start + stop.service > latest
            if not (free or forced):
                break
            pending.pop(0)
            breaks.append((position, begin, begin + length))
            now, start = begin + length, delayed
        if start is None:
            return Infeasible(position)
        visits.append((now + travel, start, start + stop.service))
        now, here = start + stop.service, stop.point
    travel_home = int(duration[here, driver.end_point])
    while pending and now + travel_home > pending[0][1]:
        earliest, latest, length = pending.pop(0)
        begin = max(now, earliest)
        if begin > latest:
            return Infeasible(last)
        breaks.append((len(order), begin, begin + length))
        now = begin + length
    if now + travel_home > driver.shift[1]:
        return Infeasible(last)
    departure = driver.shift[0]
    if visits and not (breaks and breaks[0][0] == 0):
        arrival, start, end = visits[0]
        departure += start - arrival
        visits[0] = (start, start, end)
    anchor = departure if driver.cold_anchor is None else driver.cold_anchor
    for position, (stop, (_, start, _)) in enumerate(zip(order, visits, strict=True)):
        if stop.cold_limit is not None and start - anchor > stop.cold_limit:
            return Infeasible(position)
    path = [driver.start_point, *(s.point for s in order), driver.end_point]
    metres = sum(int(distance[a, b]) for a, b in itertools.pairwise(path))
    return TimedRoute(departure, tuple(visits), tuple(breaks), now + travel_home, metres)
