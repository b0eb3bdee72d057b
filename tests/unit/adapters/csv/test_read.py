"""Record reading: line numbers, raw text, BOM, CRLF/LF, quoting, undecodable bytes."""

from __future__ import annotations

import io

import pytest

from finalmile.adapters.csv import CsvRecord, read_records
from finalmile.errors import InputError


def records(data: bytes, encoding: str = "utf-8", delimiter: str = ",") -> list[CsvRecord]:
    return list(read_records(io.BytesIO(data), delimiter=delimiter, encoding=encoding))


def test_line_numbers_count_embedded_newlines_and_skip_blank_lines() -> None:
    data = b'a,b\r\n1,"x\r\ny, ""q"""\r\n\r\n3,4\n'
    assert records(data) == [
        CsvRecord(1, ("a", "b"), "a,b\r\n"),
        CsvRecord(2, ("1", 'x\r\ny, "q"'), '1,"x\r\ny, ""q"""\r\n'),
        CsvRecord(5, ("3", "4"), "3,4\n"),
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252", "latin-1"])
def test_utf8_bom_is_dropped_whatever_the_encoding(encoding: str) -> None:
    assert records(b"\xef\xbb\xbfa;b\n", encoding, ";")[0].fields == ("a", "b")


def test_undecodable_bytes_name_their_fields() -> None:
    found = records(b"a;b;c\n\x81x;ok;\xe9\n", "cp1252", ";")
    assert found[1].undecodable == (0,)
    assert found[1].fields[2] == "é"


def test_unclosed_quote_is_malformed_at_its_line() -> None:
    with pytest.raises(InputError) as caught:
        records(b'a,b\n1,2\n3,"open\n')
    assert (caught.value.location, caught.value.code) == ("line 3", "malformed_csv")


def test_stream_is_left_open() -> None:
    stream = io.BytesIO(b"a\n1\n")
    list(read_records(stream, delimiter=",", encoding="utf-8"))
    assert not stream.closed
