"""Build temperature logs for evaluation tests: readings every ``interval`` minutes from 08:00."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from finalmile.evidence.temperature.readings import Reading, TemperatureLog

ZONE = ZoneInfo("America/New_York")
START = dt.datetime(2026, 11, 21, 8, 0, tzinfo=ZONE)


def at(hour: int, minute: int) -> dt.datetime:
    """A time on the trip's day, in the pharmacy's zone."""
    return START.replace(hour=hour, minute=minute)


def log_of(temperatures: list[float | None], *, interval: int = 1) -> TemperatureLog:
    """A log with one reading per ``interval`` minutes from 08:00; None leaves a reading out."""
    readings = tuple(
        Reading(START + dt.timedelta(minutes=i * interval), celsius)
        for i, celsius in enumerate(temperatures)
        if celsius is not None
    )
    return TemperatureLog("generic", "SYN-LOGGER", dt.timedelta(minutes=interval), readings)
