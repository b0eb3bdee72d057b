"""A courier day as JSON: sites, drivers and courier jobs (each a contract ``DispatchOrder`` plus
the site holding it and the patient's windows), validated into a routing problem.

Bad input raises ``InputError`` naming the file and the field path (``jobs.3.windows.0.end``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from finalmile.canonical import DispatchOrder
from finalmile.courier.codes import CourierCode
from finalmile.courier.stops import CourierStop, courier_stop
from finalmile.errors import InputError
from finalmile.mapping import TimeZoneName
from finalmile.routing import Driver, DriverBreak, GeoPoint, RoutingProblem, Site, Skill, TimeWindow

Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SiteIn(_In):
    """A pharmacy site."""

    site_id: str
    lat: Latitude
    lon: Longitude
    timezone: TimeZoneName = "America/New_York"


class BreakIn(_In):
    """A break that must start within ``[earliest, latest]``."""

    earliest: AwareDatetime
    latest: AwareDatetime
    minutes: int = Field(gt=0)


class DriverIn(_In):
    """A driver's day."""

    driver_id: str
    shift_start: AwareDatetime
    shift_end: AwareDatetime
    start_site: str
    end_site: str | None = None
    capacity: int = Field(ge=0)
    cooler_capacity: int = Field(default=0, ge=0)
    skills: tuple[Skill, ...] = ()
    breaks: tuple[BreakIn, ...] = ()


class WindowIn(_In):
    """A delivery window in the patient's time zone."""

    start: AwareDatetime
    end: AwareDatetime


class JobIn(_In):
    """One courier job."""

    order: DispatchOrder
    site_id: str
    windows: tuple[WindowIn, ...] = Field(min_length=1)
    lat: Latitude | None = None
    lon: Longitude | None = None
    controlled: bool = False
    priority: bool = False
    deferral_penalty: int | None = Field(default=None, ge=0)
    teaching_minutes: int = Field(default=0, ge=0)


class DayIn(_In):
    """The whole file."""

    sites: tuple[SiteIn, ...] = Field(min_length=1)
    drivers: tuple[DriverIn, ...]
    jobs: tuple[JobIn, ...]
    unplaced: tuple[str, ...] = Field(
        default=(), description="order ids of courier jobs with no location (left unassigned)"
    )


@dataclass(frozen=True, slots=True)
class CourierDay:
    """A validated day: the routing problem, the jobs by order id, each site's time zone and the
    order ids of jobs that have no location (reported unassigned, never routed)."""

    problem: RoutingProblem
    jobs: dict[str, CourierStop]
    site_zones: dict[str, str]
    unplaced: tuple[str, ...] = ()

    def on(self, date: dt.date) -> CourierDay:
        """Only the drivers whose shift starts on ``date`` and the jobs with a window that day
        (each in its own time zone)."""
        problem = self.problem
        stops = tuple(s for s in problem.stops if any(w.start.date() == date for w in s.windows))
        drivers = tuple(d for d in problem.drivers if d.shift_start.date() == date)
        kept = {s.stop_id for s in stops}
        return CourierDay(
            RoutingProblem(problem.sites, stops, drivers),
            {k: v for k, v in self.jobs.items() if k in kept},
            self.site_zones,
            self.unplaced,
        )


def load_day(text: str | bytes, *, source: str) -> CourierDay:
    """Parse and validate a day file.

    Raises:
        InputError: the first problem, located as ``source: field.path``.
    """
    try:
        day = DayIn.model_validate_json(text)
    except ValidationError as exc:
        error = exc.errors()[0]
        path = ".".join(str(part) for part in error["loc"])
        raise InputError(
            error["msg"], location=f"{source}: {path}", code=CourierCode.INVALID
        ) from None
    sites = tuple(Site(s.site_id, GeoPoint(s.lat, s.lon)) for s in day.sites)
    jobs: dict[str, CourierStop] = {}
    for n, job in enumerate(day.jobs):
        if job.order.order_id in jobs:
            raise InputError(
                "order appears twice",
                location=f"{source}: jobs.{n}.order.order_id",
                code=CourierCode.DUPLICATE,
            )
        point = None if job.lat is None or job.lon is None else GeoPoint(job.lat, job.lon)
        jobs[job.order.order_id] = courier_stop(
            job.order,
            site_id=job.site_id,
            windows=tuple(TimeWindow(w.start, w.end) for w in job.windows),
            location=point,
            controlled=job.controlled,
            priority=job.priority,
            deferral_penalty=job.deferral_penalty,
            teaching=dt.timedelta(minutes=job.teaching_minutes),
        )
        if job.site_id not in {s.site_id for s in day.sites}:
            raise InputError(
                "unknown site", location=f"{source}: jobs.{n}.site_id", code=CourierCode.UNKNOWN
            )
    drivers = tuple(
        Driver(
            driver_id=d.driver_id,
            shift_start=d.shift_start,
            shift_end=d.shift_end,
            start_site=d.start_site,
            end_site=d.end_site or d.start_site,
            capacity=d.capacity,
            cooler_capacity=d.cooler_capacity,
            skills=frozenset(d.skills),
            breaks=tuple(
                DriverBreak(b.earliest, b.latest, dt.timedelta(minutes=b.minutes)) for b in d.breaks
            ),
        )
        for d in day.drivers
    )
    try:
        problem = RoutingProblem(sites, tuple(j.to_stop() for j in jobs.values()), drivers)
    except InputError as exc:
        raise InputError(exc.message, location=f"{source}: {exc.location}", code=exc.code) from None
    return CourierDay(problem, jobs, {s.site_id: s.timezone for s in day.sites}, day.unplaced)
