"""The order ids a CSV file has finished so far, in bounded memory.

The contiguity check must remember every finished order id of a file, which grows with the file.
Up to ``memory_limit`` ids stay in a dict; beyond that they spill, a batch at a time, to a private
temporary SQLite database (``sqlite3.connect("")``: on disk, deleted when closed), so memory stays
flat however many orders a file holds.
"""

from __future__ import annotations

import sqlite3


class SeenOrderIds:
    """A map of finished order id -> the line it was first seen on."""

    def __init__(self, memory_limit: int = 4096) -> None:
        self._recent: dict[str, int] = {}
        self._limit = memory_limit
        self._spill: sqlite3.Connection | None = None

    def first_seen(self, order_id: str, line: int) -> int | None:
        """The line ``order_id`` was first seen on; when new, remember ``line`` and return None."""
        known = self._recent.get(order_id)
        if known is None and self._spill is not None:
            row = self._spill.execute(
                "SELECT line FROM seen WHERE order_id = ?", (order_id,)
            ).fetchone()
            known = None if row is None else int(row[0])
        if known is None:
            self._recent[order_id] = line
            if len(self._recent) >= self._limit:
                self._flush()
        return known

    def close(self) -> None:
        """Drop everything (and the temporary database)."""
        self._recent.clear()
        if self._spill is not None:
            self._spill.close()
            self._spill = None

    def _flush(self) -> None:
        if self._spill is None:
            self._spill = sqlite3.connect("")
            self._spill.execute("PRAGMA cache_size = -1024")  # KiB: keep the page cache small
            self._spill.execute("CREATE TABLE seen (order_id TEXT PRIMARY KEY, line INTEGER)")
        with self._spill:
            self._spill.executemany("INSERT INTO seen VALUES (?, ?)", self._recent.items())
        self._recent.clear()
