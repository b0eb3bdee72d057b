"""Stable error codes of the order lists."""

from __future__ import annotations

from enum import StrEnum


class WorklistCode(StrEnum):
    """``code`` values of the errors this package raises, serialised as their string value."""

    UNKNOWN_SITE = "unknown_site"
    EMPTY_RANGE = "empty_range"
