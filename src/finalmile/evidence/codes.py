"""Stable error codes of evidence: temperature logs, legal holds."""

from __future__ import annotations

from enum import StrEnum


class EvidenceCode(StrEnum):
    """``code`` values of the errors this package raises, serialised as their string value."""

    INVALID_TEMPERATURE_LOG = "invalid_temperature_log"
    UNKNOWN_LAYOUT = "unknown_layout"
    INVALID_ZONE = "invalid_zone"
    TOO_LARGE = "too_large"
    TOO_LONG = "too_long"
    ALREADY_HELD = "already_held"
    NOT_HELD = "not_held"
    PURGED = "purged"
    STORAGE_UNKNOWN = "storage_unknown"
