"""Stable error codes of connector profiles."""

from __future__ import annotations

from enum import StrEnum


class ProfileCode(StrEnum):
    """``code`` values of the errors this package raises, serialised as their string value."""

    FORMAT_NOT_ACCEPTED = "format_not_accepted"
