"""The generic layout: a header row, then ``timestamp,temperature`` rows.

```
timestamp,temperature_c
2026-11-21T08:00:00-05:00,4.8
2026-11-21T08:05:00-05:00,5.1
```

The time column is ``timestamp`` (or ``time``, ``datetime``): ISO 8601, with a UTC offset or read
in the configured zone. The temperature column is ``temperature`` (or ``temp``) and may name its
unit (``temperature_f``, ``Temperature (°C)``); otherwise the unit comes from the read options.
Other columns are ignored.
"""

from __future__ import annotations

import re

from finalmile.evidence.temperature.layouts.base import ReadOptions
from finalmile.evidence.temperature.layouts.fields import (
    LogBuilder,
    agree_on_unit,
    decode,
    not_a,
    parse_iso_time,
    parse_number,
    rows,
    unit_in_header,
)
from finalmile.evidence.temperature.layouts.problems import Problems
from finalmile.evidence.temperature.readings import TemperatureLog

TIME_HEADERS = ("timestamp", "time", "datetime", "date_time")
TEMPERATURE_HEADERS = ("temperature", "temp")
_WORD = re.compile(r"[a-z]+")


class GenericLayout:
    """``timestamp,temperature`` CSV with a header row."""

    name = "generic"
    label = "Generic CSV: timestamp (ISO 8601), temperature (°C or °F)"

    def read(self, content: bytes, options: ReadOptions) -> TemperatureLog:
        """The log in ``content``; raises TemperatureFileError listing every bad row."""
        problems = Problems()
        lines = decode(content).splitlines()
        records = rows(lines)
        header = next(records, None)
        if header is None:
            problems.add(1, None, "the file is empty: expected a header row")
            problems.check()
        assert header is not None
        names = [name.strip() for name in header.fields]
        time_at = next((i for i, n in enumerate(names) if n.lower() in TIME_HEADERS), None)
        temp_at = next(
            (i for i, n in enumerate(names) if _first_word(n) in TEMPERATURE_HEADERS), None
        )
        if time_at is None:
            problems.add(header.line, None, f"no time column (one of {', '.join(TIME_HEADERS)})")
        if temp_at is None:
            problems.add(header.line, None, "no temperature column (temperature, temp_f...)")
        problems.check()
        assert time_at is not None and temp_at is not None
        time_name, temp_name = names[time_at], names[temp_at]
        unit = agree_on_unit(
            unit_in_header(temp_name),
            options.unit,
            line=header.line,
            column=temp_name,
            problems=problems,
        )
        problems.check()
        assert unit is not None
        builder = LogBuilder(self.name, problems)
        for row in records:
            if len(row.fields) != len(names):
                problems.add(
                    row.line, None, f"{len(row.fields)} fields; the header has {len(names)}"
                )
                continue
            at = parse_iso_time(row.fields[time_at], options.zone)
            value = parse_number(row.fields[temp_at])
            if at is None:
                problems.add(row.line, time_name, not_a(row.fields[time_at], "an ISO 8601 time"))
            if value is None:
                problems.add(row.line, temp_name, not_a(row.fields[temp_at], "a number"))
            if at is not None and value is not None:
                builder.add(
                    at=at, celsius=unit.to_celsius(value), line=row.line, time_column=time_name
                )
        return builder.build(
            logger_id=options.logger_id, interval=options.interval, end_line=len(lines)
        )


def _first_word(header: str) -> str:
    """``Temperature (°C)`` -> ``temperature``; ``temp_f`` -> ``temp``."""
    match = _WORD.match(header.strip().lower())
    return match.group(0) if match else ""
