"""``GET /orders``: the order list with filters from every domain; ``GET /orders/summary``: the
day's counts (one order is ``api.order_detail``). No patient data in either."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime

from finalmile.auth import Scope
from finalmile.deps import provided, require
from finalmile.orders import BillingStatus, OrderStatus
from finalmile.rules import DeliveryType
from finalmile.worklist.models import DayCounts, OrderList, OrderSummary
from finalmile.worklist.query import OrderQuery, Sort
from finalmile.worklist.service import Worklist

router = APIRouter(
    prefix="/orders", tags=["orders"], dependencies=[Depends(require(Scope.ORDERS_READ))]
)
WorklistDep = Annotated[Worklist, Depends(provided(Worklist))]


@router.get("", response_model=OrderList)
def get_orders(
    *,
    worklist: WorklistDep,
    status: Annotated[list[OrderStatus] | None, Query(description="One or several")] = None,
    billing_status: BillingStatus | None = None,
    delivery_type: Annotated[DeliveryType | None, Query(description="Current decision")] = None,
    connector: str | None = None,
    account: Annotated[str | None, Query(description="Live shipment's account")] = None,
    carrier: Annotated[str | None, Query(description="Live shipment's carrier")] = None,
    site: Annotated[str | None, Query(description="Current decision's site")] = None,
    driver: Annotated[str | None, Query(description="Courier driver id")] = None,
    needed_after: Annotated[
        AwareDatetime | None, Query(description="Needed by at or after")
    ] = None,
    needed_before: Annotated[AwareDatetime | None, Query(description="Needed by before")] = None,
    created_after: Annotated[
        AwareDatetime | None, Query(description="Received at or after")
    ] = None,
    created_before: Annotated[AwareDatetime | None, Query(description="Received before")] = None,
    late: Annotated[
        bool | None, Query(description="Needed-by passed, not delivered, cancelled or returned")
    ] = None,
    sort: Sort = Sort.NEWEST,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> OrderList:
    """Orders, newest first (or by needed-by, earliest first, undated last), filtered."""
    query = OrderQuery(
        statuses=tuple(dict.fromkeys(status or ())),
        billing_status=billing_status,
        delivery_type=delivery_type,
        connector=connector,
        account=account,
        carrier=carrier,
        site=site,
        driver=driver,
        needed_after=needed_after,
        needed_before=needed_before,
        created_after=created_after,
        created_before=created_before,
        late=late,
        sort=sort,
    )
    page = worklist.page(query, limit=limit, cursor=cursor)
    return OrderList(
        items=[OrderSummary.of(line) for line in page.lines], next_cursor=page.next_cursor
    )


@router.get("/summary", response_model=DayCounts)
def get_summary(
    *,
    worklist: WorklistDep,
    date: Annotated[dt.date, Query(description="The needed-by day, YYYY-MM-DD")],
    site: Annotated[str | None, Query(description="Only this site, in its time zone")] = None,
) -> DayCounts:
    """Counts per status and billing status of the orders needed by ``date`` (in the site's time
    zone; without a site, in the service's), and how many of them are late."""
    return DayCounts.of(worklist.summary(day=date, site=site))
