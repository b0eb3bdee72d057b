"""CSV ingest throughput and memory, against a plain ``csv.reader`` over the same file.

Usage: .venv/bin/python bench/csv_ingest.py

Writes synthetic files of 10,000 and 100,000 rows (two rows per order) to a temporary directory.
Contenders: ``csv`` (csv.reader alone, the baseline), ``mapping`` (``iter_orders``: parse,
validate and map to orders, nothing stored) and ``stored`` (the whole ``finalmile ingest -f csv``
path: file ledger, one encrypted message per order, orders and items committed in batches to a
fresh SQLite database). Each is timed, then run again under tracemalloc for its peak; the growth
of the process's maximum resident set size (ru_maxrss) is shown too. Ratios are against csv.
Memory must not grow with the file: compare the 10k and 100k peaks.
"""

from __future__ import annotations

import csv
import resource
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from cryptography.fernet import Fernet

from finalmile.app import build_services
from finalmile.config.settings import Settings
from finalmile.db import migrate
from finalmile.intake.outcome import Outcome
from finalmile.intake.prepare_csv import CsvMessage
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


def stored(path: Path) -> int:
    """Rows committed by the file intake into a new SQLite database."""
    with tempfile.TemporaryDirectory() as data:
        settings = Settings(
            data_dir=Path(data), secret_key=Fernet.generate_key().decode(), log_level="WARNING"
        )
        migrate(settings.resolved_database_url)
        services = build_services(settings)
        try:
            rows = 0

            def count(message: CsvMessage, outcome: Outcome) -> None:
                nonlocal rows
                rows += message.prepared.raw.count(b"\n") - 1

            with path.open("rb") as stream:
                services.files.ingest_csv(
                    stream, connector="default", name=path.name, on_result=count
                )
            return rows
        finally:
            services.close()


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
    print(
        f"{'rows':>8} {'contender':<10} {'rows/s':>10} {'peak MB':>8} {'maxrss +MB':>10} "
        f"{'speed':>12}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for size in (10_000, 100_000):
            path = Path(tmp) / f"orders_{size}.csv"
            write(path, size)
            base = measure(baseline, path)
            for name, work in (("csv", baseline), ("mapping", finalmile), ("stored", stored)):
                speed, peak, grown = base if work is baseline else measure(work, path)
                ratio = "" if work is baseline else f"{speed / base[0]:.3f}x csv"
                print(
                    f"{size:>8} {name:<10} {speed:>10,.0f} {peak / 1e6:>8.2f} "
                    f"{grown / 1e6:>10.2f} {ratio:>12}"
                )


if __name__ == "__main__":
    main()
