"""The canonical temperature log every layout adapter produces: readings in °C, in time order."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from enum import StrEnum


class Unit(StrEnum):
    """A temperature unit as loggers write it."""

    CELSIUS = "C"
    FAHRENHEIT = "F"

    def to_celsius(self, value: float) -> float:
        """``value`` in this unit, in °C."""
        return value if self is Unit.CELSIUS else (value - 32.0) * 5.0 / 9.0


@dataclass(frozen=True)
class Reading:
    """One logged temperature: a timezone-aware time and °C."""

    at: dt.datetime
    celsius: float


@dataclass(frozen=True)
class TemperatureLog:
    """A data logger's record for one package.

    Attributes:
        layout: the adapter that read it (``generic``, ``usb-logger``...).
        logger_id: the logger's serial number, when the export or the uploader names it.
        interval: the logging interval, as configured on the logger or inferred from the readings.
        readings: at least one, strictly increasing in time.
    """

    layout: str
    logger_id: str | None
    interval: dt.timedelta
    readings: tuple[Reading, ...]

    def __post_init__(self) -> None:
        if not self.readings:
            raise ValueError("a temperature log needs at least one reading")
        if self.interval <= dt.timedelta(0):
            raise ValueError("the logging interval must be positive")
        if any(a.at >= b.at for a, b in itertools.pairwise(self.readings)):
            raise ValueError("readings must be strictly increasing in time")

    @property
    def first_at(self) -> dt.datetime:
        """Time of the first reading."""
        return self.readings[0].at

    @property
    def last_at(self) -> dt.datetime:
        """Time of the last reading."""
        return self.readings[-1].at
