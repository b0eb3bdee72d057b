"""The courier routing problem: pharmacy sites, stops and drivers for one planning day.

Pure and typed: no solver, no I/O. Times are timezone-aware datetimes; a stop's windows are in the
patient's time zone (any zone works, comparisons are absolute). ``RoutingProblem`` validates the
whole day at construction and raises ``InputError`` naming the offending field.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from finalmile.errors import InputError
from finalmile.routing.codes import RoutingCode


class Skill(StrEnum):
    """Equipment a stop needs and a driver carries."""

    COOLER = "cooler"
    LOCKBOX = "lockbox"


@dataclass(frozen=True, slots=True)
class GeoPoint:
    """A point on the map (WGS 84 degrees); planar benchmarks use it as x=lon, y=lat."""

    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """When service may start: ``start <= service start <= end``."""

    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True, slots=True)
class Site:
    """A pharmacy (or hub) where drivers start and end and packages leave from."""

    site_id: str
    location: GeoPoint


@dataclass(frozen=True, slots=True)
class Stop:
    """One delivery to one patient.

    Args:
        windows: one or more windows in the patient's time zone; service starts inside one.
        packages: packages for this stop; ``cold_packages`` of them travel in the cooler.
        skills: what the driver must carry (a refrigerated cooler, a controlled-substance lockbox).
        cold_chain_limit: a refrigerated package must be handed over within this long after the
            driver leaves the pharmacy (measured from route departure to service start).
        origin_site: the pharmacy holding the package; only drivers starting there can take it.
        priority: serve before any non-priority stop when not everything fits.
        deferral_penalty: cost of deferring the stop to another day; ``None``: it must go today.
    """

    stop_id: str
    location: GeoPoint
    windows: tuple[TimeWindow, ...]
    service: dt.timedelta = dt.timedelta(minutes=5)
    packages: int = 1
    cold_packages: int = 0
    skills: frozenset[Skill] = frozenset()
    cold_chain_limit: dt.timedelta | None = None
    origin_site: str | None = None
    priority: bool = False
    deferral_penalty: int | None = None


@dataclass(frozen=True, slots=True)
class DriverBreak:
    """A break of ``duration`` that must start within ``[earliest, latest]``.

    A driver whose route is back at the depot by ``latest`` has finished the day and skips it.
    """

    earliest: dt.datetime
    latest: dt.datetime
    duration: dt.timedelta


@dataclass(frozen=True, slots=True)
class Driver:
    """A courier for the day: shift, breaks, depots, equipment and capacity.

    ``departed`` is set when re-planning a driver already on the road: it left the pharmacy then,
    and the cold-chain clock of everything it carries runs from that moment, not from the route's
    (re-planned) departure.
    """

    driver_id: str
    shift_start: dt.datetime
    shift_end: dt.datetime
    start_site: str
    end_site: str
    capacity: int
    cooler_capacity: int = 0
    skills: frozenset[Skill] = frozenset()
    breaks: tuple[DriverBreak, ...] = ()
    departed: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class RoutingProblem:
    """One planning day. Sites, stops and drivers are validated as a whole."""

    sites: tuple[Site, ...]
    stops: tuple[Stop, ...]
    drivers: tuple[Driver, ...]
    site_index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "site_index", {s.site_id: i for i, s in enumerate(self.sites)})
        _validate(self)

    def points(self) -> list[GeoPoint]:
        """Every location, sites first then stops, in the order travel matrices use."""
        return [s.location for s in self.sites] + [s.location for s in self.stops]

    def stop_point(self, stop_index: int) -> int:
        """The matrix index of ``stops[stop_index]``."""
        return len(self.sites) + stop_index


def _aware(value: dt.datetime, where: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InputError("time must carry a time zone", location=where, code=RoutingCode.NAIVE_TIME)


def _unique(ids: list[str], what: str) -> None:
    seen: set[str] = set()
    for i, value in enumerate(ids):
        if value in seen:
            raise InputError(
                f"duplicate id {value!r}", location=f"{what}[{i}]", code=RoutingCode.DUPLICATE
            )
        seen.add(value)


def _validate(problem: RoutingProblem) -> None:
    _unique([s.site_id for s in problem.sites], "sites")
    _unique([s.stop_id for s in problem.stops], "stops")
    _unique([d.driver_id for d in problem.drivers], "drivers")
    for i, stop in enumerate(problem.stops):
        where = f"stops[{i}]"
        if not stop.windows:
            raise InputError(
                "at least one time window", location=f"{where}.windows", code=RoutingCode.REQUIRED
            )
        for j, window in enumerate(stop.windows):
            _aware(window.start, f"{where}.windows[{j}].start")
            _aware(window.end, f"{where}.windows[{j}].end")
            if window.end < window.start:
                raise InputError("window ends before it starts", location=f"{where}.windows[{j}]")
        if stop.service < dt.timedelta(0):
            raise InputError("negative service time", location=f"{where}.service")
        if not 0 <= stop.cold_packages <= stop.packages:
            raise InputError("cold packages must be within 0..packages", location=where)
        if stop.origin_site is not None and stop.origin_site not in problem.site_index:
            raise InputError(
                f"unknown site {stop.origin_site!r}",
                location=f"{where}.origin_site",
                code=RoutingCode.UNKNOWN,
            )
        if stop.cold_chain_limit is not None and stop.cold_chain_limit <= dt.timedelta(0):
            raise InputError("cold-chain limit must be positive", location=f"{where}.cold_chain")
    for i, driver in enumerate(problem.drivers):
        where = f"drivers[{i}]"
        _aware(driver.shift_start, f"{where}.shift_start")
        _aware(driver.shift_end, f"{where}.shift_end")
        if driver.departed is not None:
            _aware(driver.departed, f"{where}.departed")
        if driver.shift_end <= driver.shift_start:
            raise InputError("shift ends before it starts", location=f"{where}.shift_end")
        for attr in ("start_site", "end_site"):
            if getattr(driver, attr) not in problem.site_index:
                raise InputError(
                    "unknown site", location=f"{where}.{attr}", code=RoutingCode.UNKNOWN
                )
        if driver.capacity < 0 or driver.cooler_capacity < 0:
            raise InputError("capacities must not be negative", location=where)
        for j, pause in enumerate(driver.breaks):
            _aware(pause.earliest, f"{where}.breaks[{j}].earliest")
            _aware(pause.latest, f"{where}.breaks[{j}].latest")
            if pause.latest < pause.earliest or pause.duration <= dt.timedelta(0):
                raise InputError("break window or duration is invalid", location=f"{where}.breaks")


MISSED_STOP_PENALTY = 1_000_000
"""Objective cost of leaving out a stop that must go today (in metres of driving, 1,000 km)."""
PRIORITY_FACTOR = 10
"""A priority stop costs this many times more to leave out than an ordinary one."""


def eligible(stop: Stop, driver: Driver) -> bool:
    """Whether ``driver`` may carry ``stop`` at all (skills, cooler room, start site, load)."""
    return (
        stop.skills <= driver.skills
        and stop.cold_packages <= driver.cooler_capacity
        and stop.packages <= driver.capacity
        and stop.origin_site in (None, driver.start_site)
    )


def stop_penalty(stop: Stop) -> int:
    """What leaving ``stop`` out of the plan adds to the objective."""
    base = MISSED_STOP_PENALTY if stop.deferral_penalty is None else stop.deferral_penalty
    return base * PRIORITY_FACTOR if stop.priority else base
