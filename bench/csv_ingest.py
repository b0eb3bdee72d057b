"""CSV ingest throughput and memory: finalmile's ``iter_orders`` against a plain ``csv.reader``.

Usage: .venv/bin/python bench/csv_ingest.py

Writes synthetic files of 10,000 and 100,000 rows (two rows per order) to a temporary directory,
then times each pass and measures its tracemalloc peak (in a second, traced run) and the growth
of the process's maximum resident set size (ru_maxrss). Ratios are finalmile / baseline.
"""

from __future__ import annotations

import csv
import resource
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from finalmile.mapping.csv import CsvOrder, CsvProfile, iter_orders

HEADER = (
    "order_id,mrn,family,given,birth_date,phone,email,ship_name,line1,line2,city,state,"
    "postal_code,ndc,description,quantity,unit,storage,needed_by,requires_signature,instructions\n"
)


def write(path: Path, rows: int) -> None:
    """A synthetic file of fake patients, two rows per order."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        for n in range(rows):
            o = n // 2
            out.write(
                f"RX-{o},MRN-{o},Testpatient,Alpha,1961-04-02,617555{o % 10000:04d},,,"
                f'"{o} Test St, Unit 2",,Cambridge,MA,02139,00002-8215-01,Test item {n % 2},'
                f"{n % 5 + 1},mL,R,2026-11-24T17:00:00-05:00,Y,Leave with concierge\n"
            )


def baseline(path: Path) -> int:
    """Rows read by csv.reader alone."""
    with path.open(encoding="utf-8", newline="") as stream:
        return sum(1 for _ in csv.reader(stream)) - 1


def finalmile(path: Path) -> int:
    """Rows of the valid orders iter_orders yields."""
    with path.open("rb") as stream:
        results = iter_orders(stream, connector="bench", profile=CsvProfile())
        return sum(len(r.lines) for r in results if isinstance(r, CsvOrder))


def measure(work: Callable[[Path], int], path: Path) -> tuple[float, int, int]:
    """Rows per second, tracemalloc peak bytes, ru_maxrss growth in bytes."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    rows = work(path)
    elapsed = time.perf_counter() - start
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss) * 1024
    tracemalloc.start()
    work(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return rows / elapsed, peak, grown


def main() -> None:
    """Print one table row per file size and contender."""
    print(f"{'rows':>8} {'contender':<10} {'rows/s':>10} {'peak MB':>8} {'maxrss +MB':>10}")
    with tempfile.TemporaryDirectory() as tmp:
        for size in (10_000, 100_000):
            path = Path(tmp) / f"orders_{size}.csv"
            write(path, size)
            base = measure(baseline, path)
            ours = measure(finalmile, path)
            for name, (speed, peak, grown) in (("csv", base), ("finalmile", ours)):
                print(
                    f"{size:>8} {name:<10} {speed:>10,.0f} {peak / 1e6:>8.2f} {grown / 1e6:>10.2f}"
                )
            print(
                f"{size:>8} {'ratio':<10} {ours[0] / base[0]:>10.3f} {ours[1] / base[1]:>8.1f}"
                f" {'':>10}"
            )


if __name__ == "__main__":
    main()
