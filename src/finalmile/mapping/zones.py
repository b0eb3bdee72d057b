"""Validated IANA time-zone names for connector profiles."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator


def _known_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r}") from None
    return value


#: An IANA zone name (``America/New_York``), checked against the zone database when set.
TimeZoneName = Annotated[str, AfterValidator(_known_zone)]
