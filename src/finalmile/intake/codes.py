"""Stable error codes of message intake (size, resends, order state, crashes)."""

from __future__ import annotations

from enum import StrEnum


class IntakeCode(StrEnum):
    """``code`` values of the errors this package raises, serialised as their string value."""

    TOO_LARGE = "too_large"
    TOO_LONG = "too_long"
    DUPLICATE = "duplicate"
    UNKNOWN_ORDER = "unknown_order"
    ORDER_CANCELLED = "order_cancelled"
    INTERNAL_ERROR = "internal_error"
