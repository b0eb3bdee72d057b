"""List cursors: opaque, tied to their list, refused with a clear error otherwise."""

from __future__ import annotations

import pytest

from finalmile.errors import InputError
from finalmile.pagination import page_cursor, read_cursor


def test_a_cursor_reads_back_as_the_key_it_pages_below() -> None:
    cursor = page_cursor("orders", 1234)
    assert "1234" not in cursor and "=" not in cursor
    assert read_cursor("orders", cursor) == 1234


@pytest.mark.parametrize(
    "cursor",
    [page_cursor("decisions", 7), "garbage", "", "b3JkZXJzOng", "\u00e9t\u00e9", "1234"],
)
def test_anything_but_this_lists_cursor_is_refused_naming_the_cursor(cursor: str) -> None:
    with pytest.raises(InputError) as refused:
        read_cursor("orders", cursor)
    assert (refused.value.location, refused.value.code) == ("cursor", "invalid_cursor")
