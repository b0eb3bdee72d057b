"""How values read in reasons: ``52.3`` miles, ``1250.00`` USD, ``17:00``, ``yes``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def when(moment: dt.datetime) -> str:
    """``Thu 2026-11-26 10:30``: how a date and time reads in reasons (strftime, but faster)."""
    m = moment
    return "%s %04d-%02d-%02d %02d:%02d" % (  # noqa: UP031 - %-format is the fastest here
        _DAYS[m.weekday()],
        m.year,
        m.month,
        m.day,
        m.hour,
        m.minute,
    )


def show(value: Any) -> str:
    """``value`` as a pharmacist would read it in a reason."""
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.1f}".removesuffix(".0")
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)
