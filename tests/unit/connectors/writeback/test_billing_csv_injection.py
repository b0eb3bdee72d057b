"""Every text cell of the billing CSV is neutralised against formula injection (OWASP)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from finalmile.connectors.writeback.billing_csv import COLUMNS, BillingCsvWriteback
from finalmile.outbox import Effect, Topic
from finalmile.profiles import BillingCsvTarget

FORMULA = "=cmd|' /C calc'!A0"
NOW = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)


def test_identifiers_and_free_text_starting_a_formula_get_a_quote(tmp_path: Path) -> None:
    payload = {
        "order_id": FORMULA,
        "order_pk": 1,
        "rx_number": "+RX1",
        "items": [
            {"ndc": "-0001", "description": "@SUM(A1)", "quantity": "-1", "unit": "\tEA"},
        ],
        "date_of_service": "2026-12-01",
        "date_of_service_basis": "delivered",
        "shipped_at": None,
        "delivered_at": NOW.isoformat(),
        "carrier": "=c",
        "service": "\rs",
        "tracking_number": "=TRK",
        "pod_reference": "+pod",
        "temperature_verdict": None,
    }
    effect = Effect(1, "=k", Topic.DELIVERY_CONFIRMED, "c1", payload, NOW)
    writer = BillingCsvWriteback(BillingCsvTarget(folder=tmp_path), clock=lambda: NOW)
    writer.deliver(effect)
    assert writer.deliver(effect).startswith("already in")  # the neutralised key still dedupes
    header, row, *rest = csv.reader(io.StringIO(writer.path_for(NOW.date()).read_text()))
    cells = dict(zip(header, row, strict=True))
    assert header == list(COLUMNS) and not rest
    assert cells["order_id"] == "'" + FORMULA
    for column in ("rx_number", "ndc", "description", "unit", "carrier", "service"):
        assert cells[column].startswith("'"), column
    assert cells["tracking_number"] == "'=TRK" and cells["pod_reference"] == "'+pod"
    assert cells["quantity"] == "-1" and cells["idempotency_key"] == "c1:=k"
