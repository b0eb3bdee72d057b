"""``/orders``: list with filters and cursor pagination (one order is ``api.order_detail``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from finalmile.auth import Scope
from finalmile.deps import SessionDep, require
from finalmile.orders.models import Order, OrderStatus
from finalmile.orders.service import OrderFilter, list_orders

router = APIRouter(
    prefix="/orders", tags=["orders"], dependencies=[Depends(require(Scope.ORDERS_READ))]
)


class OrderSummary(BaseModel):
    """An order without patient data, for lists."""

    order_id: str
    connector: str
    status: str
    status_at: dt.datetime | None
    billing_status: str
    version: int
    storage: str | None
    needed_by: dt.datetime | None
    requires_signature: bool
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def of(cls, row: Order) -> OrderSummary:
        return cls.model_validate(row, from_attributes=True)


class OrderList(BaseModel):
    """One page of orders; pass ``next_cursor`` back as ``cursor`` for the next page."""

    items: list[OrderSummary]
    next_cursor: str | None


@router.get("", response_model=OrderList)
def get_orders(
    *,
    session: SessionDep,
    status: OrderStatus | None = None,
    connector: str | None = None,
    created_after: dt.datetime | None = None,
    created_before: dt.datetime | None = None,
    needed_before: dt.datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> OrderList:
    """Orders, newest first, filtered by status, connector, creation time or needed-by time."""
    filters = OrderFilter(status, connector, created_after, created_before, needed_before)
    page = list_orders(session=session, filters=filters, limit=limit, cursor=cursor)
    return OrderList(items=[OrderSummary.of(o) for o in page.orders], next_cursor=page.next_cursor)
