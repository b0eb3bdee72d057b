"""``/orders``: list with filters and cursor pagination; one order with status and history."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from finalmile.audit import AuditEvent
from finalmile.auth.models import Scope
from finalmile.deps import ServicesDep, SessionDep, require
from finalmile.orders.models import Order, OrderStatus
from finalmile.orders.service import OrderFilter, find_order, list_orders, order_record
from finalmile.rules.service import current_decision

router = APIRouter(
    prefix="/orders", tags=["orders"], dependencies=[Depends(require(Scope.ORDERS_READ))]
)


class OrderSummary(BaseModel):
    """An order without patient data, for lists."""

    order_id: str
    connector: str
    status: str
    version: int
    storage: str
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


class HistoryEntry(BaseModel):
    """One recorded change of an order."""

    at: dt.datetime
    action: str
    actor: str
    from_status: str | None
    to_status: str | None
    detail: dict[str, Any]

    @classmethod
    def of(cls, event: AuditEvent) -> HistoryEntry:
        return cls.model_validate(event, from_attributes=True)


class OrderDetail(BaseModel):
    """The canonical order (contract JSON) under ``order``, with status, sources, history and
    the current delivery decision with its reasons (None until one is made)."""

    order: dict[str, Any]
    status: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    message_ids: list[int]
    history: list[HistoryEntry]
    decision: dict[str, Any] | None = None


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


@router.get("/{order_id}", response_model=OrderDetail)
def get_order(
    order_id: str, session: SessionDep, services: ServicesDep, connector: str | None = None
) -> OrderDetail:
    """One order: the canonical contract JSON, status, source messages, history and decision."""
    row = find_order(session=session, order_id=order_id, connector=connector)
    record = order_record(session=session, row=row, vault=services.vault)
    assert row.id is not None
    decided = current_decision(session=session, order_pk=row.id)
    return OrderDetail(
        order=record.order.to_contract(),
        status=row.status,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        message_ids=record.message_ids,
        history=[HistoryEntry.of(e) for e in record.history],
        decision=services.decider.read(decided) if decided is not None else None,
    )
