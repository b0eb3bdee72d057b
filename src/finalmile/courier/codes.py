"""Stable error codes of the courier day: day files, stored plans and driver updates."""

from __future__ import annotations

from enum import StrEnum


class CourierCode(StrEnum):
    """``code`` values of the errors this package raises, serialised as their string value."""

    INVALID = "invalid"
    REQUIRED = "required"
    DUPLICATE = "duplicate"
    UNKNOWN = "unknown"
    NO_DAY = "no_day"
    SUPERSEDED = "superseded"
    INVALID_ZIP = "invalid_zip"
    UNKNOWN_ZIP = "unknown_zip"
    REUSED = "reused"
    FUTURE = "future"
    DELIVERED = "delivered"
    INVALID_IMAGE = "invalid_image"
    TOO_LARGE = "too_large"
