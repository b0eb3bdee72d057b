"""A billing CSV export for a PMS without an interface: one file per day, one row per line item.

``billing-YYYY-MM-DD.csv`` (the day the confirmation is written, UTC) in the configured folder.
Each append writes the whole new file beside the old one, fsyncs it and renames it over the old
one, so a reader (or a crash) only ever sees the file before or after a complete append. An
effect already in the day's file (same idempotency key) is not written again, so a retry after a
crash between the rename and the outbox commit writes nothing twice.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import threading
from collections.abc import Callable
from pathlib import Path

from finalmile.csv_cells import spreadsheet_text
from finalmile.db_types import utcnow
from finalmile.errors import PermanentError, RetriableError
from finalmile.outbox import DeliveryConfirmedPayload, Effect, Topic
from finalmile.profiles import BillingCsvTarget

COLUMNS = (
    "idempotency_key",
    "connector",
    "order_id",
    "rx_number",
    "line",
    "ndc",
    "description",
    "quantity",
    "unit",
    "date_of_service",
    "date_of_service_basis",
    "shipped_at",
    "delivered_at",
    "carrier",
    "service",
    "tracking_number",
    "pod_reference",
    "temperature_verdict",
)


class BillingCsvWriteback:
    """Appends delivery confirmations to the day's billing CSV."""

    def __init__(
        self, settings: BillingCsvTarget, *, clock: Callable[[], dt.datetime] = utcnow
    ) -> None:
        self.name = "billing_csv"
        self.topics: tuple[Topic, ...] = settings.topics
        self._folder = settings.folder
        self._clock = clock
        self._lock = threading.Lock()  # one appender per process; the outbox lease does the rest

    def path_for(self, day: dt.date) -> Path:
        """The file of one day."""
        return self._folder / f"billing-{day.isoformat()}.csv"

    def deliver(self, effect: Effect) -> str:
        """Append the effect's rows to today's file (once)."""
        if effect.topic is not Topic.DELIVERY_CONFIRMED:
            raise PermanentError(f"billing_csv: writes {Topic.DELIVERY_CONFIRMED} only")
        confirmed = DeliveryConfirmedPayload.model_validate(effect.payload)
        path = self.path_for(self._clock().date())
        with self._lock:
            try:
                return self._append(path, effect, confirmed)
            except OSError as exc:
                raise RetriableError(f"billing_csv: cannot write ({type(exc).__name__})") from None

    def _append(self, path: Path, effect: Effect, confirmed: DeliveryConfirmedPayload) -> str:
        path.parent.mkdir(parents=True, exist_ok=True)
        existing = path.read_bytes() if path.exists() else b""
        if existing and _has_key(existing, spreadsheet_text(effect.idempotency_key)):
            return f"already in {path.name}"
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\r\n")
        if not existing:
            writer.writerow(COLUMNS)
        for line, item in enumerate(confirmed.items, start=1):
            # Every text cell is neutralised, identifiers included: an order id or NDC is what a
            # PMS sent us, and "=cmd|..." must reach the billing team's spreadsheet as text.
            row: list[str | int] = [
                effect.idempotency_key,
                effect.connector,
                confirmed.order_id,
                confirmed.rx_number,
                line,
                item.ndc or "",
                item.description or "",
                str(item.quantity),
                item.unit or "",
                confirmed.date_of_service.isoformat(),
                confirmed.date_of_service_basis,
                confirmed.shipped_at.isoformat() if confirmed.shipped_at else "",
                confirmed.delivered_at.isoformat(),
                confirmed.carrier or "",
                confirmed.service or "",
                confirmed.tracking_number or "",
                confirmed.pod_reference,
                confirmed.temperature_verdict or "",
            ]
            writer.writerow(
                spreadsheet_text(cell) if isinstance(cell, str) and i != _QUANTITY else cell
                for i, cell in enumerate(row)
            )
        _replace(path, existing + out.getvalue().encode("utf-8"))
        return f"{len(confirmed.items)} row(s) to {path.name}"


_QUANTITY = COLUMNS.index("quantity")  # a number: "-1" is a value, not a formula


def _has_key(content: bytes, key: str) -> bool:
    rows = csv.reader(io.StringIO(content.decode("utf-8"), newline=""))
    return any(row and row[0] == key for row in rows)


def _replace(path: Path, content: bytes) -> None:
    partial = path.with_name(f".{path.name}.partial")
    with partial.open("wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    partial.replace(path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
