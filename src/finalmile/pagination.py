"""Opaque cursors for keyset-paginated lists: the next page starts after the last row's key.

A cursor names its list, so one list's cursor handed to another is refused instead of silently
paging from the wrong place.
"""

from __future__ import annotations

import base64

from finalmile.errors import ErrorCode, InputError


def encode_cursor(kind: str, *parts: str) -> str:
    """A cursor of the list named ``kind`` carrying the last row's key ``parts``."""
    text = ":".join((kind, *parts))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str, *, parts: int) -> list[str]:
    """The ``parts`` key values of a cursor the list named ``kind`` returned.

    Raises:
        InputError: not such a cursor (``invalid_cursor``).
    """
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        raise _invalid() from None
    found, *values = text.split(":", parts)
    if found != kind or len(values) != parts:
        raise _invalid()
    return values


def page_cursor(kind: str, last_key: int) -> str:
    """The cursor of the page after the row keyed ``last_key`` in the list named ``kind``."""
    return encode_cursor(kind, str(last_key))


def read_cursor(kind: str, cursor: str) -> int:
    """The key ``cursor`` pages below.

    Raises:
        InputError: ``cursor`` is not one the list named ``kind`` returned (``invalid_cursor``).
    """
    [value] = decode_cursor(kind, cursor, parts=1)
    try:
        return int(value)
    except ValueError:
        raise _invalid() from None


def _invalid() -> InputError:
    return InputError(
        "not a cursor this list returned", location="cursor", code=ErrorCode.INVALID_CURSOR
    )
