"""Delivery numbers a pharmacy is judged on, per day and per site, by delivery type and carrier:
``GET /metrics/delivery`` and ``finalmile report``."""

from finalmile.reports.facts import Group
from finalmile.reports.models import DeliveryNumbers, Numbers
from finalmile.reports.service import DeliveryReport, DeliveryReports
from finalmile.reports.table import COLUMNS, csv_text, table_text
from finalmile.reports.tally import ReportRow

__all__ = [
    "COLUMNS",
    "DeliveryNumbers",
    "DeliveryReport",
    "DeliveryReports",
    "Group",
    "Numbers",
    "ReportRow",
    "csv_text",
    "table_text",
]
