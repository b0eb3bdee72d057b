"""Profile validation and flat memory while streaming."""

from __future__ import annotations

import io
import tracemalloc
from collections.abc import Iterator

import pytest
from pydantic import ValidationError

from finalmile.mapping.csv import CsvOrder, CsvProfile, iter_orders

HEADER = b"order_id,mrn,family,given,line1,city,state,postal_code,quantity,storage\n"


class GeneratedStream(io.RawIOBase):
    """A read-only byte stream produced on demand, never held whole in memory."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._left = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._left:
            self._left = next(self._chunks, b"")
            if not self._left:
                return 0
        size = min(len(buffer), len(self._left))
        buffer[:size] = self._left[:size]
        self._left = self._left[size:]
        return size


def rows(count: int, per_order: int) -> Iterator[bytes]:
    yield HEADER
    for n in range(count):
        order = n // per_order
        street = f"{order} Fake St,Town,MA,02139"
        yield f"RX-{order},MRN-{order},Test,Patient,{street},{n % 9 + 1},R\n".encode()


def peak_bytes(count: int, per_order: int) -> int:
    """tracemalloc's peak while mapping a generated file of ``count`` rows."""
    stream = io.BufferedReader(GeneratedStream(rows(count, per_order)))
    tracemalloc.start()
    try:
        orders = sum(
            isinstance(r, CsvOrder)
            for r in iter_orders(stream, connector="c", profile=CsvProfile())
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert orders == count // per_order
    return peak


def test_memory_does_not_grow_with_the_file() -> None:
    """Single-row orders are the worst case (every row adds an order id to remember): four times
    the rows, well past the in-memory window of finished ids, must not raise the peak."""
    small, large = peak_bytes(6_000, 1), peak_bytes(24_000, 1)
    assert large < small * 1.2
    assert large < 2_000_000


def test_profile_lists_every_problem_at_once() -> None:
    with pytest.raises(ValidationError) as caught:
        CsvProfile(
            delimiter=";;",
            encoding="no-such-codec",
            columns={"dob": "DOB"},
            defaults={"colour": "red"},
            timezone="Mars/Olympus",
        )
    assert {e["loc"][0] for e in caught.value.errors()} == {
        "delimiter",
        "encoding",
        "columns",
        "defaults",
        "timezone",
    }


def test_storage_codes_are_case_insensitive_and_defaults_fill_gaps() -> None:
    data = HEADER.replace(b",storage", b"") + b"A-1,M1,F,G,1 St,Town,MA,02139,1\n"
    profile = CsvProfile(defaults={"storage": "r"})
    (order,) = iter_orders(io.BytesIO(data), connector="c", profile=profile)
    assert isinstance(order, CsvOrder)
    assert order.order.items[0].storage == "refrigerated"
