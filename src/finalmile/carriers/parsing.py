"""Reading providers' JSON (webhook bodies and API answers): times, locations and text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any


def parse_time(value: object) -> dt.datetime | None:
    """An ISO 8601 time with an offset or ``Z`` as an aware datetime; None if absent or naive."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def location_text(value: Any) -> str | None:
    """ "City, ST, ZIP, country" from a provider's location object."""
    if not isinstance(value, Mapping):
        return None
    parts = [value.get(k) for k in ("city", "state", "zip", "country")]
    text = ", ".join(str(p) for p in parts if p)
    return text or None


def text_or_none(value: Any) -> str | None:
    """A provider's value as text; None for null or empty."""
    return str(value) if value not in (None, "") else None
