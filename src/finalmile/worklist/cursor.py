"""Keyset cursors of the order list sorted by needed-by: the last row's needed-by and id.

Orders without a needed-by come last; within one needed-by, by id. A cursor names its sort, so a
newest-first cursor handed to the needed-by sort (or the reverse) is refused.
"""

from __future__ import annotations

import base64
import datetime as dt

from finalmile.errors import ErrorCode, InputError

KIND = "orders.needed_by"


def needed_by_cursor(needed_by: dt.datetime | None, last_id: int) -> str:
    """The cursor of the page after the row (``needed_by``, ``last_id``)."""
    when = "" if needed_by is None else needed_by.astimezone(dt.UTC).isoformat()
    return base64.urlsafe_b64encode(f"{KIND}:{last_id}:{when}".encode()).decode().rstrip("=")


def read_needed_by_cursor(cursor: str) -> tuple[dt.datetime | None, int]:
    """The (needed-by, id) key ``cursor`` continues after.

    Raises:
        InputError: not a cursor of this sort (``invalid_cursor``).
    """
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, last_id, when = text.split(":", 2)
        if kind != KIND:
            raise ValueError(kind)
        needed_by = dt.datetime.fromisoformat(when) if when else None
        if needed_by is not None and needed_by.tzinfo is None:
            raise ValueError(when)
        return needed_by, int(last_id)
    except (ValueError, UnicodeDecodeError):
        raise InputError(
            "not a cursor this list returned with this sort",
            location="cursor",
            code=ErrorCode.INVALID_CURSOR,
        ) from None
