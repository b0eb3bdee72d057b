"""The delivery report's response model (no patient data: counts and rates only)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, Field

from finalmile.reports.service import DeliveryReport
from finalmile.reports.tally import ReportRow


class Numbers(BaseModel):
    """One row: a day at a site, by delivery type and carrier (all null in the total)."""

    day: dt.date | None
    site: str | None
    delivery_type: str | None
    carrier: str | None
    orders: int
    delivered: int
    on_time_rate: float | None
    first_attempt_rate: float | None
    cost_per_delivery: Decimal | None
    excursion_rate: float | None
    billing_median_hours: float | None
    billing_p90_hours: float | None
    exceptions_opened: int
    exceptions_resolved: int

    @classmethod
    def of(cls, row: ReportRow) -> Numbers:
        group = row.group
        return cls(
            day=group.day if group else None,
            site=group.site if group else None,
            delivery_type=group.delivery_type if group else None,
            carrier=group.carrier if group else None,
            orders=row.orders,
            delivered=row.delivered,
            on_time_rate=row.on_time_rate,
            first_attempt_rate=row.first_attempt_rate,
            cost_per_delivery=row.cost_per_delivery,
            excursion_rate=row.excursion_rate,
            billing_median_hours=row.billing_median_hours,
            billing_p90_hours=row.billing_p90_hours,
            exceptions_opened=row.exceptions_opened,
            exceptions_resolved=row.exceptions_resolved,
        )


class DeliveryNumbers(BaseModel):
    """The delivery report of ``from``..``to`` (inclusive days)."""

    model_config = {"populate_by_name": True}

    first: dt.date = Field(alias="from")
    last: dt.date = Field(alias="to")
    site: str | None
    rows: list[Numbers]
    total: Numbers

    @classmethod
    def of(cls, report: DeliveryReport) -> DeliveryNumbers:
        return cls(
            first=report.first,
            last=report.last,
            site=report.site,
            rows=[Numbers.of(r) for r in report.rows],
            total=Numbers.of(report.total),
        )
