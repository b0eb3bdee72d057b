"""Keyset cursors of the order list sorted by needed-by: the last row's needed-by and id.

Orders without a needed-by come last; within one needed-by, by id. A cursor names its sort, so a
newest-first cursor handed to the needed-by sort (or the reverse) is refused.
"""

from __future__ import annotations

import datetime as dt

from finalmile.errors import ErrorCode, InputError
from finalmile.pagination import decode_cursor, encode_cursor

KIND = "orders.needed_by"


def needed_by_cursor(needed_by: dt.datetime | None, last_id: int) -> str:
    """The cursor of the page after the row (``needed_by``, ``last_id``)."""
    when = "" if needed_by is None else needed_by.astimezone(dt.UTC).isoformat()
    return encode_cursor(KIND, str(last_id), when)


def read_needed_by_cursor(cursor: str) -> tuple[dt.datetime | None, int]:
    """The (needed-by, id) key ``cursor`` continues after.

    Raises:
        InputError: not a cursor of this sort (``invalid_cursor``).
    """
    try:
        last_id, when = decode_cursor(KIND, cursor, parts=2)
        needed_by = dt.datetime.fromisoformat(when) if when else None
        if needed_by is not None and needed_by.tzinfo is None:
            raise ValueError(when)
        return needed_by, int(last_id)
    except (ValueError, InputError):
        raise InputError(
            "not a cursor this list returned with this sort",
            location="cursor",
            code=ErrorCode.INVALID_CURSOR,
        ) from None
