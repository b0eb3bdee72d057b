"""A CSV file's records regrouped by order, in bounded memory.

The rows of one order may be anywhere in a file, so no order is complete before the file has been
read to its end. ``OrderRows`` is the first pass: every record goes to a private temporary SQLite
database (``sqlite3.connect("")``: on disk, deleted when closed), filed under the line its order was
first seen on. ``groups()`` is the second pass: the records order by order, in the order of each
order's first line. Memory holds a batch of records being written, a bounded window of recent
order ids (older ones are looked up on disk) and, while reading back, one order's records.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator

from finalmile.adapters.csv import CsvRecord


class OrderRows:
    """Records filed by their order's first line; a record without an order is a group of one."""

    def __init__(self, memory_limit: int = 4096, batch: int = 1000) -> None:
        self._db = sqlite3.connect("")
        self._db.execute("PRAGMA cache_size = -1024")  # KiB: keep the page cache small
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("CREATE TABLE first_seen (order_id TEXT PRIMARY KEY, line INTEGER)")
        self._db.execute(
            "CREATE TABLE record (first_line INTEGER, line INTEGER, body TEXT, "
            "PRIMARY KEY (first_line, line)) WITHOUT ROWID"
        )
        self._recent: dict[str, int] = {}
        self._limit = memory_limit
        self._batch = batch
        self._pending: list[tuple[int, int, str]] = []

    def add(self, order_id: str | None, record: CsvRecord) -> None:
        """File ``record`` under its order (``None``: a group of its own)."""
        first_line = record.line if order_id is None else self._first_line(order_id, record.line)
        body = json.dumps([record.fields, record.raw, record.undecodable])  # lossless: \\udcxx
        self._pending.append((first_line, record.line, body))
        if len(self._pending) >= self._batch:
            self._write()

    def groups(self) -> Iterator[list[CsvRecord]]:
        """Each order's records in line order, orders by their first line."""
        self._write()
        group: list[CsvRecord] = []
        current: int | None = None
        rows = self._db.execute(
            "SELECT first_line, line, body FROM record ORDER BY first_line, line"
        )
        for first_line, line, body in rows:
            if group and first_line != current:
                yield group
                group = []
            current = first_line
            fields, raw, undecodable = json.loads(body)
            group.append(CsvRecord(line, tuple(fields), raw, tuple(undecodable)))
        if group:
            yield group

    def close(self) -> None:
        """Drop everything (and the temporary database)."""
        self._recent.clear()
        self._pending.clear()
        self._db.close()

    def _first_line(self, order_id: str, line: int) -> int:
        known = self._recent.get(order_id)
        if known is None:
            row = self._db.execute(
                "SELECT line FROM first_seen WHERE order_id = ?", (order_id,)
            ).fetchone()
            known = line if row is None else int(row[0])
            if row is None:
                self._recent[order_id] = line
                if len(self._recent) >= self._limit:
                    self._spill()
        return known

    def _spill(self) -> None:
        with self._db:
            self._db.executemany("INSERT INTO first_seen VALUES (?, ?)", self._recent.items())
        self._recent.clear()

    def _write(self) -> None:
        if self._pending:
            with self._db:
                self._db.executemany("INSERT INTO record VALUES (?, ?, ?)", self._pending)
            self._pending.clear()
