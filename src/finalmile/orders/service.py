"""Read orders: filtered, cursor-paginated lists and the full record of one order."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from finalmile.audit import AuditEvent, history
from finalmile.canonical import DispatchOrder
from finalmile.errors import InputError, NotFoundError
from finalmile.orders.codec import load_order
from finalmile.orders.codes import OrderCode
from finalmile.orders.models import Order, OrderItem, OrderStatus
from finalmile.pagination import page_cursor, read_cursor
from finalmile.vault import Vault


@dataclass(frozen=True)
class OrderFilter:
    """Conditions for listing orders; every one is optional."""

    status: OrderStatus | None = None
    connector: str | None = None
    created_after: dt.datetime | None = None
    created_before: dt.datetime | None = None
    needed_before: dt.datetime | None = None


@dataclass(frozen=True)
class OrderPage:
    """One page of orders, newest first, and the cursor of the next page (None at the end)."""

    orders: list[Order]
    next_cursor: str | None


@dataclass(frozen=True)
class OrderRecord:
    """An order with its canonical content and history."""

    row: Order
    order: DispatchOrder
    history: list[AuditEvent]


def list_orders(
    *, session: Session, filters: OrderFilter, limit: int, cursor: str | None
) -> OrderPage:
    """Orders matching ``filters``, newest first, ``limit`` at a time (keyset pagination)."""
    statement = select(Order).order_by(col(Order.id).desc()).limit(limit + 1)
    if cursor is not None:
        statement = statement.where(col(Order.id) < read_cursor("orders", cursor))
    if filters.status is not None:
        statement = statement.where(col(Order.status) == filters.status.value)
    if filters.connector is not None:
        statement = statement.where(col(Order.connector) == filters.connector)
    if filters.created_after is not None:
        statement = statement.where(col(Order.created_at) >= filters.created_after)
    if filters.created_before is not None:
        statement = statement.where(col(Order.created_at) < filters.created_before)
    if filters.needed_before is not None:
        statement = statement.where(col(Order.needed_by) < filters.needed_before)
    rows = list(session.scalars(statement))
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1].id if more and rows else None
    return OrderPage(orders=rows, next_cursor=None if last is None else page_cursor("orders", last))


def find_order(*, session: Session, order_id: str, connector: str | None) -> Order:
    """The order with the pharmacy's ``order_id``; ``connector`` disambiguates between PMSs.

    Raises:
        NotFoundError: no such order.
        InputError: the id exists for several connectors and none was named.
    """
    statement = select(Order).where(col(Order.order_id) == order_id)
    if connector is not None:
        statement = statement.where(col(Order.connector) == connector)
    rows = list(session.scalars(statement))
    if not rows:
        raise NotFoundError(
            f"no order {order_id!r}" + (f" from connector {connector!r}" if connector else "")
        )
    if len(rows) > 1:
        names = ", ".join(sorted(r.connector for r in rows))
        raise InputError(
            f"order {order_id!r} exists for several connectors ({names}); add ?connector=NAME",
            location="connector",
            code=OrderCode.AMBIGUOUS,
        )
    return rows[0]


def order_record(*, session: Session, row: Order, vault: Vault) -> OrderRecord:
    """Everything known about one stored order."""
    assert row.id is not None
    items = list(session.scalars(select(OrderItem).where(col(OrderItem.order_pk) == row.id)))
    return OrderRecord(
        row=row,
        order=load_order(row, items, vault=vault),
        history=history(session, entity="order", entity_id=row.id),
    )
