"""The order list's and the day's counts' response models: no patient data (shared by the API and
``finalmile orders``)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from finalmile.worklist.query import OrderLine
from finalmile.worklist.summary import DaySummary


class OrderSummary(BaseModel):
    """An order without patient data, for lists: its status, current decision (delivery type,
    site), live shipment (account, carrier) and driver."""

    order_id: str
    connector: str
    status: str
    status_at: dt.datetime | None
    billing_status: str
    version: int
    storage: str | None
    needed_by: dt.datetime | None
    requires_signature: bool
    delivery_type: str | None
    site: str | None
    account: str | None
    carrier: str | None
    driver_id: str | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def of(cls, line: OrderLine) -> OrderSummary:
        row = line.row
        return cls(
            order_id=row.order_id,
            connector=row.connector,
            status=row.status.value,
            status_at=row.status_at,
            billing_status=row.billing_status.value,
            version=row.version,
            storage=row.storage.value if row.storage else None,
            needed_by=row.needed_by,
            requires_signature=row.requires_signature,
            delivery_type=line.delivery_type,
            site=line.site,
            account=line.account,
            carrier=line.carrier,
            driver_id=line.driver_id,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


class OrderList(BaseModel):
    """One page of orders; pass ``next_cursor`` back as ``cursor`` (with the same filters and
    sort) for the next page."""

    items: list[OrderSummary]
    next_cursor: str | None


class DayCounts(BaseModel):
    """How the orders needed by one day stand: per status, per billing status, late."""

    date: dt.date
    site: str | None
    timezone: str
    total: int
    statuses: dict[str, int]
    billing_statuses: dict[str, int]
    late: int

    @classmethod
    def of(cls, summary: DaySummary) -> DayCounts:
        return cls(
            date=summary.day,
            site=summary.site,
            timezone=summary.zone,
            total=summary.total,
            statuses=summary.statuses,
            billing_statuses=summary.billing,
            late=summary.late,
        )
