"""Read delimited text incrementally: one record at a time, with its line number and raw text.

The stream is decoded by an ``io.TextIOWrapper`` and split by ``csv.reader`` (RFC 4180 quoting:
embedded delimiters, doubled quotes and line breaks; CRLF or LF). Nothing holds more than one
record. Bytes the encoding cannot decode do not stop the file: they are kept as lone surrogates
(``surrogateescape``) and the record lists the fields that hold them, so the caller can reject
that one row by line and column. A physical line longer than ``MAX_LINE_CHARS`` (a header of a
million columns, a file with no line breaks) is refused as it is read, so memory stays bounded.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from finalmile.adapters.codes import AdapterCode
from finalmile.errors import InputError

_UNDECODABLE = re.compile("[\udc80-\udcff]")
#: Longer physical lines are refused: a pharmacy row is a few hundred characters.
MAX_LINE_CHARS = 65_536


@dataclass(frozen=True, slots=True)
class CsvRecord:
    """One record: ``line`` is the physical line it starts on (the first line is 1), ``raw`` its
    exact text (line breaks included) and ``undecodable`` the 0-based indexes of its fields that
    held bytes the encoding could not decode."""

    line: int
    fields: tuple[str, ...]
    raw: str
    undecodable: tuple[int, ...] = ()


def read_records(
    stream: BinaryIO, *, delimiter: str, encoding: str
) -> Generator[CsvRecord, None, None]:
    """The records of ``stream`` in order, blank lines skipped; a UTF-8 BOM is always dropped.

    The stream is left open (the text wrapper is detached when the iterator ends or is closed).

    Raises:
        InputError: ``malformed_csv`` at the record's line when the quoting cannot be read (for
            example a quote left open until the end of the file).
    """
    text = io.TextIOWrapper(stream, encoding=encoding, errors="surrogateescape", newline="")
    bom = codecs.BOM_UTF8.decode(encoding, errors="surrogateescape")
    pending: list[str] = []
    consumed = 0

    def lines() -> Iterator[str]:
        nonlocal consumed
        for number, line in enumerate(iter(lambda: text.readline(MAX_LINE_CHARS + 1), ""), 1):
            if len(line) > MAX_LINE_CHARS:
                raise InputError(
                    f"the line is longer than {MAX_LINE_CHARS} characters; check the delimiter "
                    "and the line breaks",
                    location=f"line {number}",
                    code=AdapterCode.LINE_TOO_LONG,
                )
            kept = line[len(bom) :] if number == 1 and line.startswith(bom) else line
            consumed = number
            pending.append(kept)
            yield kept

    try:
        reader = csv.reader(lines(), delimiter=delimiter, strict=True)
        start = 1
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise InputError(
                    f"the CSV quoting cannot be read ({exc}); check for an unclosed quote",
                    location=f"line {start}",
                    code=AdapterCode.MALFORMED_CSV,
                ) from None
            raw = "".join(pending)
            pending.clear()
            if fields:
                yield CsvRecord(start, tuple(fields), raw, _undecodable(fields, raw))
            start = consumed + 1
    finally:
        if not stream.closed:  # detach so that dropping the wrapper leaves the stream open
            text.detach()


def _undecodable(fields: list[str], raw: str) -> tuple[int, ...]:
    if _UNDECODABLE.search(raw) is None:
        return ()
    return tuple(i for i, field in enumerate(fields) if _UNDECODABLE.search(field))
