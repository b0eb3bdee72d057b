"""The "Generic USB logger export" layout: an example of a vendor layout (synthetic, no real
vendor's format). Metadata lines come first, then a blank line and the table; °F or °C; US times.

```
Generic USB Logger Export
Serial Number,GUL2045187
Logging Interval,00:05:00
Time Zone,UTC-05:00
Temperature Unit,°F

No.,Date Time,Temperature(°F)
1,11/21/2026 08:00:00 AM,39.2
2,11/21/2026 08:05:00 AM,39.6
```

``Serial Number`` becomes the logger id and ``Logging Interval`` the interval; ``Time Zone`` (a
fixed UTC offset) applies to every time, else the configured zone does; the unit is the metadata's
or the temperature header's (they must agree, and with the upload's when it names one).
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from finalmile.evidence.temperature.layouts.base import ReadOptions
from finalmile.evidence.temperature.layouts.fields import (
    LogBuilder,
    Row,
    agree_on_unit,
    decode,
    not_a,
    parse_interval,
    parse_number,
    parse_unit,
    rows,
    unit_in_header,
)
from finalmile.evidence.temperature.layouts.problems import Problems
from finalmile.evidence.temperature.readings import TemperatureLog, Unit

TITLE = "Generic USB Logger Export"
TABLE_HEADER = ("No.", "Date Time")
TIME_FORMAT = "%m/%d/%Y %I:%M:%S %p"
_OFFSET = re.compile(r"^UTC(?:([+-])(\d{1,2}):?(\d{2}))?$")


class UsbLoggerLayout:
    """Reads the "Generic USB logger export" (metadata block, then ``No.,Date Time,Temp``)."""

    name = "usb-logger"
    label = "Generic USB logger export: metadata lines, then No., MM/DD/YYYY hh:mm:ss AM, °F/°C"

    def read(self, content: bytes, options: ReadOptions) -> TemperatureLog:
        """The log in ``content``; raises TemperatureFileError listing every bad row."""
        problems = Problems()
        lines = decode(content).splitlines()
        if not lines or lines[0].strip() != TITLE:
            problems.add(1, None, f"not a Generic USB logger export (the first line is {TITLE!r})")
            problems.check()
        records = rows(lines[1:], first_line=2)
        metadata: dict[str, tuple[int, str]] = {}
        header: Row | None = None
        for row in records:
            if tuple(f.strip() for f in row.fields[:2]) == TABLE_HEADER:
                header = row
                break
            key, value = row.fields[0].strip(), ",".join(row.fields[1:]).strip()
            metadata[key] = (row.line, value)
        if header is None or len(header.fields) < 3:
            problems.add(len(lines), None, "no table header (No.,Date Time,Temperature(°F))")
            problems.check()
        assert header is not None
        temp_name = header.fields[2].strip()
        unit = _unit(metadata, temp_name, header.line, options.unit, problems)
        zone = _zone(metadata, options.zone, problems)
        interval = _interval(metadata, problems) or options.interval
        logger_id = metadata.get("Serial Number", (0, ""))[1] or options.logger_id
        problems.check()
        assert unit is not None
        builder = LogBuilder(self.name, problems)
        for row in records:
            if len(row.fields) != len(header.fields):
                problems.add(
                    row.line, None, f"{len(row.fields)} fields; the header has {len(header.fields)}"
                )
                continue
            at = _time(row.fields[1], zone)
            temperature = parse_number(row.fields[2])
            if at is None:
                problems.add(row.line, "Date Time", not_a(row.fields[1], "MM/DD/YYYY hh:mm:ss AM"))
            if temperature is None:
                problems.add(row.line, temp_name, not_a(row.fields[2], "a number"))
            if at is not None and temperature is not None:
                builder.add(
                    at=at,
                    celsius=unit.to_celsius(temperature),
                    line=row.line,
                    time_column="Date Time",
                )
        return builder.build(logger_id=logger_id, interval=interval, end_line=len(lines))


def _unit(
    metadata: dict[str, tuple[int, str]],
    temp_name: str,
    header_line: int,
    given: Unit | None,
    problems: Problems,
) -> Unit | None:
    named = unit_in_header(temp_name)
    if "Temperature Unit" in metadata:
        line, text = metadata["Temperature Unit"]
        declared = parse_unit(text)
        if declared is None:
            problems.add(line, "Temperature Unit", not_a(text, "°C or °F"))
        elif named is not None and named is not declared:
            problems.add(header_line, temp_name, f"°{named.value} here but °{declared.value} above")
        named = declared or named
    return agree_on_unit(named, given, line=header_line, column=temp_name, problems=problems)


def _zone(metadata: dict[str, tuple[int, str]], default: ZoneInfo, problems: Problems) -> dt.tzinfo:
    if "Time Zone" not in metadata:
        return default
    line, text = metadata["Time Zone"]
    match = _OFFSET.match(text.replace(" ", ""))
    if match is None:
        problems.add(line, "Time Zone", not_a(text, "UTC, UTC+HH:MM or UTC-HH:MM"))
        return default
    sign, hours, minutes = match.groups()
    if sign is None:
        return dt.UTC
    offset = dt.timedelta(hours=int(hours), minutes=int(minutes))
    return dt.timezone(-offset if sign == "-" else offset)


def _interval(metadata: dict[str, tuple[int, str]], problems: Problems) -> dt.timedelta | None:
    if "Logging Interval" not in metadata:
        return None
    line, text = metadata["Logging Interval"]
    interval = parse_interval(text)
    if interval is None:
        problems.add(line, "Logging Interval", not_a(text, "HH:MM:SS"))
    return interval


def _time(text: str, zone: dt.tzinfo) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(text.strip(), TIME_FORMAT).replace(tzinfo=zone)
    except ValueError:
        return None
