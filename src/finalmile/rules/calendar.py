"""A site's working calendar: closed days, carrier pickups and delivery days.

Carriers deliver Monday to Friday, and Saturday only when Saturday delivery is bought; nobody
ships or delivers on the site's holidays. Results are memoised: the calendar is pure, so the
same question always has the same answer, and a batch of orders asks the same few questions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from finalmile.rules.site_config import WEEKDAYS, Holidays, Weekday
from finalmile.rules.wording import when

SATURDAY = 5
#: How far ahead pickups and deliveries are searched before giving up (covers long closures).
HORIZON_DAYS = 30
CACHE_LIMIT = 4096
_UNKNOWN: Any = object()  # a memo's "not asked yet" (None is a real answer)


class Arrival:
    """When a package arrives and what that means for the rules. Memoised arrivals are shared
    by many decisions, so the text reasons show is worked out once per arrival."""

    __slots__ = ("_text", "at", "idle_days", "transit_hours", "weekday")

    def __init__(
        self, at: dt.datetime, weekday: Weekday, transit_hours: float, idle_days: int
    ) -> None:
        self.at = at
        self.weekday = weekday
        self.transit_hours = transit_hours
        self.idle_days = idle_days
        self._text: str | None = None

    @classmethod
    def between(cls, shipped: dt.datetime, arrives: dt.datetime, *, idle_days: int) -> Arrival:
        """The arrival at ``arrives`` of a package that left at ``shipped``."""
        hours = (arrives - shipped).total_seconds() / 3600
        return cls(arrives, WEEKDAYS[arrives.weekday()], hours, idle_days)

    def text(self, zone: ZoneInfo) -> str:
        """``Thu 2026-11-26 10:30`` in ``zone`` (the patient's)."""
        if self.at.tzinfo is not zone:
            return when(self.at.astimezone(zone))
        if self._text is None:
            self._text = when(self.at)
        return self._text


class SiteCalendar:
    """Closed days and business-day arithmetic for one site, in its time zone."""

    def __init__(self, zone: ZoneInfo, config: Holidays) -> None:
        self.zone = zone
        self._config = config
        self._extra = frozenset(config.dates)
        self._names = frozenset(config.names) if config.names is not None else None
        self._years: dict[int, frozenset[dt.date]] = {}
        self._pickups: dict[tuple[dt.date, bool, dt.time, frozenset[int]], dt.datetime | None] = {}
        self._deliveries: dict[tuple[dt.date, int, bool], dt.date | None] = {}
        self._arrivals: dict[tuple[dt.datetime, int, dt.time, ZoneInfo, bool], Arrival | None] = {}

    def closed(self, day: dt.date) -> bool:
        """Whether ``day`` is a holiday or listed closure at the site."""
        return day in self._extra or day in self._holidays(day.year)

    def delivers(self, day: dt.date, *, saturday: bool) -> bool:
        """Whether carriers deliver on ``day`` (Saturday only with Saturday delivery)."""
        weekday = day.weekday()
        if weekday > SATURDAY or (weekday == SATURDAY and not saturday):
            return False
        return not self.closed(day)

    def next_pickup(
        self, local: dt.datetime, cutoff: dt.time, days: frozenset[int]
    ) -> dt.datetime | None:
        """The next carrier pickup after ``local`` (now, in the site's zone): today at ``cutoff``
        if before it, else a later open pickup day (``days`` are Python weekday numbers). None
        when there is none within the horizon."""
        key = (local.date(), local.time() >= cutoff, cutoff, days)
        found: dt.datetime | None = self._pickups.get(key, _UNKNOWN)
        if found is _UNKNOWN:
            _bound(self._pickups)
            found = self._pickups[key] = self._find_pickup(local, cutoff, days)
        return found

    def delivery_date(
        self, shipped: dt.date, transit_days: int, *, saturday: bool
    ) -> dt.date | None:
        """The day a package shipped on ``shipped`` arrives after ``transit_days`` delivery days."""
        key = (shipped, transit_days, saturday)
        if key not in self._deliveries:
            _bound(self._deliveries)
            self._deliveries[key] = self._count_days(shipped, transit_days, saturday=saturday)
        return self._deliveries[key]

    def arrival(
        self,
        shipped: dt.datetime,
        transit_days: int,
        delivery_by: dt.time,
        zone: ZoneInfo,
        *,
        saturday: bool,
    ) -> Arrival | None:
        """When a package leaving at ``shipped`` arrives after ``transit_days`` delivery days, by
        ``delivery_by`` in ``zone``; None when no delivery day is within the horizon."""
        key = (shipped, transit_days, delivery_by, zone, saturday)
        found: Arrival | None = self._arrivals.get(key, _UNKNOWN)
        if found is _UNKNOWN:
            _bound(self._arrivals)
            day = self.delivery_date(shipped.date(), transit_days, saturday=saturday)
            found = self._arrivals[key] = (
                None
                if day is None
                else Arrival.between(
                    shipped,
                    dt.datetime.combine(day, delivery_by, tzinfo=zone),
                    idle_days=(day - shipped.date()).days - transit_days,
                )
            )
        return found

    def idle_days(self, shipped: dt.date, arrives: dt.date, *, saturday: bool) -> int:
        """Days after ``shipped`` up to ``arrives`` on which carriers deliver nothing."""
        day, idle = shipped, 0
        while day < arrives:
            day += dt.timedelta(days=1)
            idle += not self.delivers(day, saturday=saturday)
        return idle

    def _find_pickup(
        self, local: dt.datetime, cutoff: dt.time, days: frozenset[int]
    ) -> dt.datetime | None:
        day = local.date()
        if local.time() >= cutoff:
            day += dt.timedelta(days=1)
        for _ in range(HORIZON_DAYS):
            if day.weekday() in days and not self.closed(day):
                return dt.datetime.combine(day, cutoff, tzinfo=self.zone)
            day += dt.timedelta(days=1)
        return None

    def _count_days(self, shipped: dt.date, transit_days: int, *, saturday: bool) -> dt.date | None:
        day, left = shipped, transit_days
        for _ in range(transit_days + HORIZON_DAYS):
            if left == 0:
                return day
            day += dt.timedelta(days=1)
            if self.delivers(day, saturday=saturday):
                left -= 1
        return None

    def _holidays(self, year: int) -> frozenset[dt.date]:
        if year not in self._years:
            self._years[year] = self._load_year(year)
        return self._years[year]

    def _load_year(self, year: int) -> frozenset[dt.date]:
        if self._config.country is None:
            return frozenset()
        # Deferred: the holiday tables are slow to import and only a site with a country uses them.
        import holidays as holiday_tables  # noqa: PLC0415

        table = holiday_tables.country_holidays(
            self._config.country, subdiv=self._config.subdivision, years=year
        )
        return frozenset(
            day
            for day, name in table.items()
            if self._names is None or any(part.strip() in self._names for part in name.split(";"))
        )


def _bound(cache: dict[Any, Any]) -> None:
    # A long-running worker asks about ever later days: forget everything now and then.
    if len(cache) >= CACHE_LIMIT:
        cache.clear()


def weekday_numbers(days: list[Weekday]) -> frozenset[int]:
    """``["mon", "fri"]`` -> ``{0, 4}``."""
    return frozenset(WEEKDAYS.index(d) for d in days)


def weekday_name(day: dt.date) -> Weekday:
    """``mon`` ... ``sun``."""
    return WEEKDAYS[day.weekday()]
