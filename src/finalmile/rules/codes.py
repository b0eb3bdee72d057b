"""Stable error codes of delivery decisions."""

from __future__ import annotations

from enum import StrEnum


class RuleCode(StrEnum):
    """``code`` values of the errors this package raises, serialised as their string value."""

    CANCELLED = "cancelled"
    NOT_A_CHOICE = "not_a_choice"
    NOT_DECIDABLE = "not_decidable"
    CONTRADICTS_DECISION = "contradicts_decision"
