"""Stable error codes of the item master."""

from __future__ import annotations

from enum import StrEnum


class ItemCode(StrEnum):
    """``code`` values of the errors this package raises, serialised as their string value."""

    INVALID_NDC = "invalid_ndc"
