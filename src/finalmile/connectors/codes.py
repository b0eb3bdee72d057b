"""Stable error codes of the connectors (bytes in and out of a PMS)."""

from __future__ import annotations

from enum import StrEnum


class ConnectorCode(StrEnum):
    """``code`` values of the errors this package raises, serialised as their string value."""

    TOO_LARGE = "too_large"
