"""Stable error codes of carrier webhooks."""

from __future__ import annotations

from enum import StrEnum


class CarrierCode(StrEnum):
    """``code`` values of the errors this package raises, serialised as their string value."""

    INVALID_JSON = "invalid_json"
