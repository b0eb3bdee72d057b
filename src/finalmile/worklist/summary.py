"""Counts for one day: the orders needed by that day, per status and per billing status, and how
many of them are late."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from finalmile.orders import BillingStatus, OrderStatus
from finalmile.worklist.query import OrderQuery, filtered, joined


@dataclass(frozen=True)
class DaySummary:
    """How the orders needed by ``day`` (in ``zone``) stand."""

    day: dt.date
    site: str | None
    zone: str
    total: int
    statuses: dict[str, int]
    billing: dict[str, int]
    late: int


def day_bounds(day: dt.date, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of ``day`` and of the next day in ``zone`` (a day may last 23 or 25
    hours when the clocks change)."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return start, end


def day_summary(
    session: Session, *, day: dt.date, site: str | None, zone: ZoneInfo, now: dt.datetime
) -> DaySummary:
    """Counts for the orders needed by ``day`` in ``zone`` (of ``site``'s decisions, when named).

    Every status and billing status is listed, with 0 where none is.
    """
    start, end = day_bounds(day, zone)
    query = OrderQuery(site=site, needed_after=start, needed_before=end)
    base = filtered(joined(), query, now=now).subquery()
    rows = session.execute(
        select(base.c.status, base.c.billing_status, func.count()).group_by(
            base.c.status, base.c.billing_status
        )
    ).all()
    statuses = dict.fromkeys((s.value for s in OrderStatus), 0)
    billing = dict.fromkeys((b.value for b in BillingStatus), 0)
    for status, billing_status, count in rows:
        statuses[OrderStatus(status).value] += count
        billing[BillingStatus(billing_status).value] += count
    late = filtered(joined(), replace(query, late=True), now=now).subquery()
    return DaySummary(
        day=day,
        site=site,
        zone=zone.key,
        total=sum(statuses.values()),
        statuses=statuses,
        billing=billing,
        late=session.scalar(select(func.count()).select_from(late)) or 0,
    )
