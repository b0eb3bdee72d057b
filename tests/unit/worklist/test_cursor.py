"""The needed-by sort's cursor: it carries the last needed-by and id, and only this sort's."""

from __future__ import annotations

import datetime as dt

import pytest

from finalmile.errors import InputError
from finalmile.pagination import page_cursor
from finalmile.worklist.cursor import needed_by_cursor, read_needed_by_cursor

WHEN = dt.datetime(2026, 12, 8, 17, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))


def test_a_cursor_reads_back_its_key() -> None:
    assert read_needed_by_cursor(needed_by_cursor(WHEN, 42)) == (WHEN, 42)
    assert read_needed_by_cursor(needed_by_cursor(None, 7)) == (None, 7)


@pytest.mark.parametrize(
    "cursor", [page_cursor("orders", 42), "garbage", needed_by_cursor(WHEN, 1)[:-3]]
)
def test_another_lists_cursor_or_a_damaged_one_is_refused(cursor: str) -> None:
    with pytest.raises(InputError) as raised:
        read_needed_by_cursor(cursor)
    assert raised.value.location == "cursor"
