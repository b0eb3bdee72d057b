"""Sandbox state: in memory, optionally written through to a SQLite file that a restart reloads.

One event loop owns the store, so a handler that reads and writes without awaiting in between is
atomic; each ``put`` is committed before the handler returns, so a label is durable before its
response leaves (the "timeout after the purchase was committed" fault relies on this).
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

from finalmile_sandbox.records import (
    AddressRecord,
    Api,
    ParcelRecord,
    Record,
    RefundRecord,
    ShipmentRecord,
    TrackerRecord,
    TransactionRecord,
    WebhookRecord,
)

_KINDS: dict[str, type[Record]] = {
    "address": AddressRecord,
    "parcel": ParcelRecord,
    "shipment": ShipmentRecord,
    "tracker": TrackerRecord,
    "refund": RefundRecord,
    "transaction": TransactionRecord,
    "webhook": WebhookRecord,
}
_KIND_OF = {cls: kind for kind, cls in _KINDS.items()}
R = TypeVar("R", bound=Record)


def new_id(api: Api, prefix: str) -> str:
    """A fresh object id: EasyPost style ``prefix_<hex>``, Shippo style bare 32 hex digits."""
    token = secrets.token_hex(16)
    return f"{prefix}_{token}" if api is Api.EASYPOST else token


class SandboxStore:
    """All sandbox records, with lookups by rate id and tracking code.

    Args:
        path: a SQLite file to write through to and load from; None keeps state in memory only.
    """

    def __init__(self, path: Path | None = None) -> None:
        self._records: dict[str, dict[str, Record]] = {kind: {} for kind in _KINDS}
        self._shipment_of_rate: dict[str, str] = {}
        self._tracker_of_code: dict[tuple[Api, str], str] = {}
        self._db: sqlite3.Connection | None = None
        if path is not None:
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS record ("
                "kind TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (kind, id))"
            )
            for kind, body in self._db.execute("SELECT kind, body FROM record ORDER BY rowid"):
                self._index(_KINDS[kind].model_validate_json(body))

    def put(self, record: Record) -> None:
        """Insert or replace a record (and write it to the file, when there is one)."""
        self._index(record)
        if self._db is not None:
            self._db.execute(
                "INSERT OR REPLACE INTO record (kind, id, body) VALUES (?, ?, ?)",
                (_KIND_OF[type(record)], record.id, record.model_dump_json()),
            )

    def _index(self, record: Record) -> None:
        self._records[_KIND_OF[type(record)]][record.id] = record
        if isinstance(record, ShipmentRecord):
            for rate in record.rates:
                self._shipment_of_rate[rate.id] = record.id
        elif isinstance(record, TrackerRecord):
            self._tracker_of_code[(record.api, record.tracking_code)] = record.id

    def get(self, cls: type[R], record_id: str) -> R | None:
        """A record of the given type by id, or None."""
        found = self._records[_KIND_OF[cls]].get(record_id)
        return found if isinstance(found, cls) else None

    def all(self, cls: type[R]) -> Iterator[R]:
        """Every record of a type, oldest first (a snapshot: safe to read from another thread)."""
        for record in list(self._records[_KIND_OF[cls]].values()):
            if isinstance(record, cls):
                yield record

    def shipment_of_rate(self, rate_id: str) -> ShipmentRecord | None:
        """The shipment a rate was quoted for."""
        shipment_id = self._shipment_of_rate.get(rate_id)
        return self.get(ShipmentRecord, shipment_id) if shipment_id else None

    def tracker_for(self, api: Api, tracking_code: str) -> TrackerRecord | None:
        """The tracker of a tracking code in one API."""
        tracker_id = self._tracker_of_code.get((api, tracking_code))
        return self.get(TrackerRecord, tracker_id) if tracker_id else None

    def close(self) -> None:
        """Close the SQLite file, if any."""
        if self._db is not None:
            self._db.close()
            self._db = None
