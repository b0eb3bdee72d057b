"""Read orders: one order by its id, and its full record (lists are ``finalmile.worklist``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from finalmile.audit import AuditEvent, history
from finalmile.canonical import DispatchOrder
from finalmile.errors import InputError, NotFoundError
from finalmile.orders.codec import load_order
from finalmile.orders.codes import OrderCode
from finalmile.orders.models import Order, OrderItem
from finalmile.vault import Vault


@dataclass(frozen=True)
class OrderRecord:
    """An order with its canonical content and history."""

    row: Order
    order: DispatchOrder
    history: list[AuditEvent]


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
