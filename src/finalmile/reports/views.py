"""``GET /metrics/delivery``: the delivery report as JSON."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from finalmile.auth import Scope
from finalmile.deps import provided, require
from finalmile.reports.models import DeliveryNumbers
from finalmile.reports.service import DeliveryReports

router = APIRouter(
    prefix="/metrics", tags=["metrics"], dependencies=[Depends(require(Scope.ORDERS_READ))]
)


@router.get("/delivery", response_model=DeliveryNumbers, response_model_by_alias=True)
def get_delivery(
    *,
    reports: Annotated[DeliveryReports, Depends(provided(DeliveryReports))],
    first: Annotated[dt.date, Query(alias="from", description="First day, YYYY-MM-DD")],
    last: Annotated[dt.date, Query(alias="to", description="Last day (inclusive)")],
    site: Annotated[str | None, Query(description="Only this site")] = None,
) -> DeliveryNumbers:
    """Per day (needed-by day in the site's time zone) and site, by delivery type and carrier:
    orders, delivered, on-time rate, first-attempt success, cost per delivery, excursion rate,
    delivery-to-billing hours (median, p90), exceptions opened and resolved; and the total."""
    return DeliveryNumbers.of(reports.report(first=first, last=last, site=site))
