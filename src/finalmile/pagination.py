"""Opaque cursors for keyset-paginated lists: newest first, the next page starts below a key.

A cursor names its list, so one list's cursor handed to another is refused instead of silently
paging from the wrong place.
"""

from __future__ import annotations

import base64

from finalmile.errors import ErrorCode, InputError


def page_cursor(kind: str, last_key: int) -> str:
    """The cursor of the page after the row keyed ``last_key`` in the list named ``kind``."""
    return base64.urlsafe_b64encode(f"{kind}:{last_key}".encode()).decode().rstrip("=")


def read_cursor(kind: str, cursor: str) -> int:
    """The key ``cursor`` pages below.

    Raises:
        InputError: ``cursor`` is not one the list named ``kind`` returned (``invalid_cursor``).
    """
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        found, _, value = text.partition(":")
        if found != kind:
            raise ValueError(found)
        return int(value)
    except (ValueError, UnicodeDecodeError):
        raise InputError(
            "not a cursor this list returned", location="cursor", code=ErrorCode.INVALID_CURSOR
        ) from None
