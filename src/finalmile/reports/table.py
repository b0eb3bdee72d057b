"""The report as lines: a tab-separated table for people, CSV for spreadsheets (every text cell
neutralised so a spreadsheet never evaluates it)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from finalmile.csv_cells import spreadsheet_text
from finalmile.reports.service import DeliveryReport
from finalmile.reports.tally import ReportRow

COLUMNS = (
    "day",
    "site",
    "delivery_type",
    "carrier",
    "orders",
    "delivered",
    "on_time_rate",
    "first_attempt_rate",
    "cost_per_delivery",
    "excursion_rate",
    "billing_median_hours",
    "billing_p90_hours",
    "exceptions_opened",
    "exceptions_resolved",
)
#: The first columns, which hold text (the rest are numbers or empty).
_TEXT = 4


def cells(row: ReportRow) -> list[str]:
    """One row's values in ``COLUMNS`` order, ``""`` where there is none (``total`` for the
    period's total)."""
    group = row.group
    labels = (
        ["total", "", "", ""]
        if group is None
        else [
            group.day.isoformat(),
            group.site or "",
            group.delivery_type or "",
            group.carrier or "",
        ]
    )
    numbers = (
        row.orders,
        row.delivered,
        row.on_time_rate,
        row.first_attempt_rate,
        row.cost_per_delivery,
        row.excursion_rate,
        row.billing_median_hours,
        row.billing_p90_hours,
        row.exceptions_opened,
        row.exceptions_resolved,
    )
    return labels + ["" if n is None else str(n) for n in numbers]


def lines(report: DeliveryReport) -> Iterator[list[str]]:
    """Every row, then the total."""
    for row in report.rows:
        yield cells(row)
    yield cells(report.total)


def table_text(report: DeliveryReport) -> str:
    """The report as a tab-separated table with a header, ``-`` where there is no value."""
    out = ["\t".join(COLUMNS)]
    out.extend("\t".join(cell or "-" for cell in line) for line in lines(report))
    return "\n".join(out) + "\n"


def csv_text(report: DeliveryReport) -> str:
    """The report as CSV (RFC 4180, CRLF), header first."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for line in lines(report):
        writer.writerow([spreadsheet_text(c) if i < _TEXT else c for i, c in enumerate(line)])
    return out.getvalue()
