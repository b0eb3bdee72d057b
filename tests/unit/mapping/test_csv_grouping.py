"""An order's rows anywhere in a CSV file make one whole order, or every row is rejected."""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path

import pytest

from finalmile.mapping.csv import CsvOrder, CsvProfile, CsvRejection, iter_orders

HEADER = "order_id,mrn,family,given,line1,city,state,postal_code,description,quantity,storage\n"


def row(order: str, item: str, quantity: str = "1", mrn: str = "MRN-1") -> str:
    return f"{order},{mrn},Testpatient,Alpha,1 Fake St,Boston,MA,02110,{item},{quantity},R\n"


def run(text: str) -> list[CsvOrder | CsvRejection]:
    data = io.BytesIO(text.encode())
    return list(iter_orders(data, connector="c", profile=CsvProfile()))


def test_rows_apart_in_the_file_make_one_whole_order() -> None:
    text = HEADER + row("RX-1", "A") + row("RX-2", "B") + row("RX-1", "C") + row("RX-2", "D")
    results = run(text)
    assert all(isinstance(r, CsvOrder) for r in results)
    orders = [r for r in results if isinstance(r, CsvOrder)]
    assert [(o.order.order_id, o.lines) for o in orders] == [("RX-1", (2, 4)), ("RX-2", (3, 5))]
    assert [i.description for i in orders[0].order.items] == ["A", "C"]
    assert orders[0].raw == row("RX-1", "A") + row("RX-1", "C")


def test_a_bad_row_of_a_split_order_rejects_every_row_of_it_by_line() -> None:
    text = (
        HEADER
        + row("RX-1", "A")
        + row("RX-2", "B")
        + row("RX-1", "C")
        + row("RX-3", "E")
        + row("RX-1", "D", quantity="lots")
    )
    results = run(text)
    rejected = [(r.line, r.order_id, r.error.code) for r in results if isinstance(r, CsvRejection)]
    assert rejected == [
        (2, "RX-1", "order_rejected"),
        (4, "RX-1", "order_rejected"),
        (6, "RX-1", "invalid_quantity"),
    ]
    assert all(r.error.location == "line 6" for r in results[:2] if isinstance(r, CsvRejection))
    accepted = [r.order.order_id for r in results if isinstance(r, CsvOrder)]
    assert accepted == ["RX-2", "RX-3"]


def test_a_row_without_an_order_id_is_rejected_alone_at_its_place() -> None:
    text = HEADER + row("RX-1", "A") + row("", "B") + row("RX-1", "C")
    results = run(text)
    assert [
        (type(r).__name__, r.line if isinstance(r, CsvRejection) else r.lines) for r in results
    ] == [
        ("CsvOrder", (2, 4)),
        ("CsvRejection", 3),
    ]


def interleaved(path: Path, rows: int) -> Path:
    """A file of two-row orders whose second rows come after every first row (worst case)."""
    orders = rows // 2
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        for second in (False, True):
            for n in range(orders):
                out.write(row(f"RX-{n}", "B" if second else "A", mrn=f"MRN-{n}"))
    return path


def peak(path: Path) -> tuple[int, int]:
    """tracemalloc's peak while mapping ``path``, and the number of whole orders it gave."""
    tracemalloc.start()
    try:
        with path.open("rb") as stream:
            whole = sum(
                isinstance(r, CsvOrder) and len(r.order.items) == 2
                for r in iter_orders(stream, connector="c", profile=CsvProfile())
            )
        _, top = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return top, whole


@pytest.mark.slow
def test_memory_stays_flat_when_every_order_is_split(tmp_path: Path) -> None:
    """Both files hold more orders than the in-memory window of order ids (4096); ten times the
    rows must not raise the peak."""
    peak(interleaved(tmp_path / "warm.csv", 100))  # one-time loads (the ZIP table) off the books
    small_peak, small_orders = peak(interleaved(tmp_path / "small.csv", 10_000))
    large_peak, large_orders = peak(interleaved(tmp_path / "large.csv", 100_000))
    assert (small_orders, large_orders) == (5_000, 50_000)
    assert large_peak < small_peak * 1.25
