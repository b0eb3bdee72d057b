"""Stable error codes of order look-ups."""

from __future__ import annotations

from enum import StrEnum


class OrderCode(StrEnum):
    """``code`` values of the errors this package raises, serialised as their string value."""

    AMBIGUOUS = "ambiguous"
