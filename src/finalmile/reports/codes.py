"""Stable error codes of the delivery reports."""

from __future__ import annotations

from enum import StrEnum


class ReportCode(StrEnum):
    """``code`` values of the errors this package raises, serialised as their string value."""

    UNKNOWN_SITE = "unknown_site"
    EMPTY_RANGE = "empty_range"
    RANGE_TOO_LONG = "range_too_long"
