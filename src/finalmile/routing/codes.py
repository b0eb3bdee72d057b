"""Stable error codes of the route solver's input checks."""

from __future__ import annotations

from enum import StrEnum


class RoutingCode(StrEnum):
    """``code`` values of the errors this package raises, serialised as their string value."""

    UNKNOWN = "unknown"
    NAIVE_TIME = "naive_time"
    DUPLICATE = "duplicate"
    REQUIRED = "required"
