"""A physical line past the limit (a header of a million columns) is refused as it is read."""

from __future__ import annotations

import io
import tracemalloc

import pytest

from finalmile.adapters.csv import read_records
from finalmile.adapters.csv.read import MAX_LINE_CHARS
from finalmile.errors import InputError


def test_a_million_column_header_is_refused_without_reading_it_whole() -> None:
    header = b",".join(b"c%d" % i for i in range(1_000_000)) + b"\n"
    tracemalloc.start()
    try:
        with pytest.raises(InputError) as caught:
            list(read_records(io.BytesIO(header), delimiter=",", encoding="utf-8"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.code == "line_too_long" and caught.value.location == "line 1"
    assert peak < 2 * 1024 * 1024, peak


def test_a_line_at_the_limit_is_read() -> None:
    line = b"a" * (MAX_LINE_CHARS - 1) + b"\n"
    (record,) = read_records(io.BytesIO(line), delimiter=",", encoding="utf-8")
    assert record.fields == ("a" * (MAX_LINE_CHARS - 1),)
