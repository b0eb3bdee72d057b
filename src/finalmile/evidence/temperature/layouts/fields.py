"""Pieces every layout needs: decoding, a numbered CSV row reader, values, and the log builder."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from finalmile.evidence.temperature.layouts.problems import Problems
from finalmile.evidence.temperature.readings import Reading, TemperatureLog, Unit

_UNIT_WORDS = {
    "c": Unit.CELSIUS,
    "°c": Unit.CELSIUS,
    "℃": Unit.CELSIUS,
    "degc": Unit.CELSIUS,
    "celsius": Unit.CELSIUS,
    "f": Unit.FAHRENHEIT,
    "°f": Unit.FAHRENHEIT,
    "℉": Unit.FAHRENHEIT,
    "degf": Unit.FAHRENHEIT,
    "fahrenheit": Unit.FAHRENHEIT,
}
# "temperature (°F)", "Temperature(°C)", "temp_f", "temperature_c", "temperature [degC]"
_UNIT_IN_HEADER = re.compile(r"[\s_(\[]+(°?[cf]|℃|℉|deg[cf]|celsius|fahrenheit)[)\]]?\s*$", re.I)


@dataclass(frozen=True)
class Row:
    """One CSV record and the physical line it is on (the first line of the file is 1)."""

    line: int
    fields: list[str]


def decode(content: bytes) -> str:
    """The export's text: UTF-8 (a BOM dropped), else Windows-1252, which loggers' desktop tools
    also write. The five bytes Windows-1252 leaves undefined become U+FFFD and fail as values."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def rows(lines: list[str], *, first_line: int = 1) -> Iterator[Row]:
    """Each non-blank line of ``lines`` split as CSV (one record per line, as loggers write)."""
    for offset, text in enumerate(lines):
        if text.strip():
            yield Row(first_line + offset, next(csv.reader([text])))


def not_a(value: str, expected: str) -> str:
    """The problem with a field that is not ``expected``. The value is not quoted: an export
    uploaded by mistake (a patient list) must not put patient data into error messages."""
    return f"empty, expected {expected}" if not value.strip() else f"not {expected}"


def agree_on_unit(
    named: Unit | None, given: Unit | None, *, line: int, column: str | None, problems: Problems
) -> Unit | None:
    """The unit the export names, else the one given; a problem when they differ or both lack."""
    if named is not None and given is not None and named is not given:
        problems.add(line, column, f"the export says °{named.value} but °{given.value} was given")
    unit = named or given
    if unit is None:
        problems.add(line, column, "the unit is not named: name it in the export or the upload")
    return unit


def parse_unit(text: str) -> Unit | None:
    """``°C``, ``C``, ``degF``, ``Fahrenheit``... as a Unit; None if it names no unit."""
    return _UNIT_WORDS.get(text.strip().lower())


def unit_in_header(header: str) -> Unit | None:
    """The unit a column header names (``Temperature (°F)``, ``temp_c``), or None."""
    match = _UNIT_IN_HEADER.search(header.strip())
    return parse_unit(match.group(1)) if match else None


def parse_number(text: str) -> float | None:
    """A decimal number (``-3.5``, ``+8``), or None when ``text`` is not one."""
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_iso_time(text: str, zone: ZoneInfo) -> dt.datetime | None:
    """An ISO 8601 date-time; one without a UTC offset is read in ``zone``. None if unreadable."""
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


def parse_interval(text: str) -> dt.timedelta | None:
    """``HH:MM:SS`` (or ``MM:SS``) as a positive timedelta, or None."""
    parts = text.strip().split(":")
    if not 2 <= len(parts) <= 3 or not all(p.isdigit() for p in parts):
        return None
    numbers = [int(p) for p in parts]
    hours, minutes, seconds = ([0, *numbers] if len(numbers) == 2 else numbers)[:3]
    interval = dt.timedelta(hours=hours, minutes=minutes, seconds=seconds)
    return interval if interval > dt.timedelta(0) else None


class LogBuilder:
    """Collects readings row by row and checks they move forward in time."""

    def __init__(self, layout: str, problems: Problems) -> None:
        self._layout = layout
        self._problems = problems
        self._readings: list[Reading] = []
        self._last_line = 0

    def add(self, *, at: dt.datetime, celsius: float, line: int, time_column: str) -> None:
        """Append a reading; a time not after the previous reading's is a problem at ``line``."""
        if self._readings and at <= self._readings[-1].at:
            self._problems.add(
                line,
                time_column,
                f"time {at.isoformat()} is not after the previous reading's "
                f"(line {self._last_line})",
            )
            return
        self._readings.append(Reading(at, celsius))
        self._last_line = line

    def build(
        self, *, logger_id: str | None, interval: dt.timedelta | None, end_line: int
    ) -> TemperatureLog:
        """The log; without a given interval, the median spacing of the readings.

        Raises:
            TemperatureFileError: problems were recorded, there is no reading, or the interval
                can be neither read nor inferred.
        """
        if not self._readings and not self._problems:
            self._problems.add(end_line, None, "the file holds no readings")
        if interval is None and len(self._readings) == 1:
            self._problems.add(
                end_line, None, "one reading and no logging interval: give the interval"
            )
        self._problems.check()
        if interval is None:
            times = [r.at for r in self._readings]
            spacings = sorted(b - a for a, b in itertools.pairwise(times))
            interval = spacings[(len(spacings) - 1) // 2]  # the median, robust to a few gaps
        return TemperatureLog(self._layout, logger_id, interval, tuple(self._readings))
