"""Stable error codes of the outbox."""

from __future__ import annotations

from enum import StrEnum


class OutboxCode(StrEnum):
    """``code`` values of the errors this package raises, serialised as their string value."""

    NOT_RETRIABLE = "not_retriable"
