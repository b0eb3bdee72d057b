"""The cross-domain order list: each order with its current decision (delivery type, site), its
live shipment (account, carrier) and that shipment's driver, filtered and keyset-paginated.

Two sorts: ``newest`` (by id, descending) and ``needed_by`` (earliest first, orders without a
needed-by last, then by id), each with its own cursor so a page boundary never skips or repeats a
row however many orders share a needed-by.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVarTuple

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, aliased
from sqlmodel import col

from finalmile.courier import CourierAssignment, Driver
from finalmile.errors import InputError
from finalmile.orders import BillingStatus, Order, OrderStatus
from finalmile.pagination import page_cursor, read_cursor
from finalmile.rules import DecisionRecord, DeliveryType
from finalmile.shipments import Shipment, is_live
from finalmile.worklist.codes import WorklistCode
from finalmile.worklist.cursor import needed_by_cursor, read_needed_by_cursor

#: Statuses in which a passed needed-by no longer makes an order late: the journey ended.
NOT_LATE = frozenset({OrderStatus.DELIVERED, OrderStatus.CANCELLED, OrderStatus.RETURNED})
_NEWEST = "orders"
#: The list's statement: an order and what the other domains say about it.
Ts = TypeVarTuple("Ts")
Listed = Select[Order, DeliveryType | None, str | None, str | None, str | None, str | None]


class Sort(StrEnum):
    """The order of a list."""

    NEWEST = "newest"
    NEEDED_BY = "needed_by"


@dataclass(frozen=True)
class OrderQuery:
    """What to list; every condition is optional and they all hold together."""

    statuses: tuple[OrderStatus, ...] = ()
    billing_status: BillingStatus | None = None
    delivery_type: DeliveryType | None = None
    connector: str | None = None
    account: str | None = None
    carrier: str | None = None
    site: str | None = None
    driver: str | None = None
    needed_after: dt.datetime | None = None
    needed_before: dt.datetime | None = None
    created_after: dt.datetime | None = None
    created_before: dt.datetime | None = None
    late: bool | None = None
    sort: Sort = Sort.NEWEST

    def check(self) -> None:
        """Raises InputError when the conditions contradict each other."""
        if (
            self.needed_after is not None
            and self.needed_before is not None
            and self.needed_after >= self.needed_before
        ):
            raise InputError(
                "needed_after must be earlier than needed_before",
                location="needed_after",
                code=WorklistCode.EMPTY_RANGE,
            )


@dataclass(frozen=True)
class OrderLine:
    """One order of a list: the order row and what the other domains say about it."""

    row: Order
    delivery_type: str | None
    site: str | None
    account: str | None
    carrier: str | None
    driver_id: str | None


@dataclass(frozen=True)
class OrderPage:
    """One page of orders and the cursor of the next (None at the end)."""

    lines: list[OrderLine]
    next_cursor: str | None


def with_journey(statement: Select[*Ts]) -> Select[*Ts]:
    """``statement`` over orders, outer-joined to each order's current decision (its newest) and
    its live shipment (each may be missing): the joins every cross-domain order view shares."""
    newer = aliased(DecisionRecord)
    current = (
        select(func.max(col(newer.id)))
        .where(col(newer.order_pk) == col(Order.id))
        .correlate(Order)
        .scalar_subquery()
    )
    return (
        statement.select_from(Order)
        .outerjoin(
            DecisionRecord,
            # The order_pk term lets SQLite find each order's decisions by index first.
            and_(col(DecisionRecord.order_pk) == col(Order.id), col(DecisionRecord.id) == current),
        )
        .outerjoin(Shipment, and_(col(Shipment.order_pk) == col(Order.id), is_live()))
    )


def joined() -> Listed:
    """Orders with their current decision, live shipment and driver (each may be missing)."""
    columns = select(
        Order,
        col(DecisionRecord.delivery_type),
        col(DecisionRecord.site),
        col(Shipment.account),
        col(Shipment.carrier),
        col(Driver.driver_id),
    )
    return (
        with_journey(columns)
        .outerjoin(CourierAssignment, col(CourierAssignment.shipment_pk) == col(Shipment.id))
        .outerjoin(Driver, col(Driver.id) == col(CourierAssignment.driver_pk))
    )


def filtered(statement: Listed, query: OrderQuery, *, now: dt.datetime) -> Listed:
    """``statement`` (from ``joined``) restricted to the orders ``query`` asks for."""
    conditions: list[Any] = []
    if query.statuses:
        conditions.append(col(Order.status).in_([s.value for s in query.statuses]))
    if query.billing_status is not None:
        conditions.append(col(Order.billing_status) == query.billing_status.value)
    if query.delivery_type is not None:
        conditions.append(col(DecisionRecord.delivery_type) == query.delivery_type.value)
    if query.connector is not None:
        conditions.append(col(Order.connector) == query.connector)
    if query.account is not None:
        conditions.append(col(Shipment.account) == query.account)
    if query.carrier is not None:
        conditions.append(col(Shipment.carrier) == query.carrier)
    if query.site is not None:
        conditions.append(col(DecisionRecord.site) == query.site)
    if query.driver is not None:
        conditions.append(col(Driver.driver_id) == query.driver)
    if query.needed_after is not None:
        conditions.append(col(Order.needed_by) >= query.needed_after)
    if query.needed_before is not None:
        conditions.append(col(Order.needed_by) < query.needed_before)
    if query.created_after is not None:
        conditions.append(col(Order.created_at) >= query.created_after)
    if query.created_before is not None:
        conditions.append(col(Order.created_at) < query.created_before)
    if query.late is not None:
        late = and_(
            col(Order.needed_by) < now,
            col(Order.status).not_in([s.value for s in NOT_LATE]),
        )
        conditions.append(late if query.late else ~late)
    return statement.where(*conditions)


def order_page(
    session: Session, query: OrderQuery, *, limit: int, cursor: str | None, now: dt.datetime
) -> OrderPage:
    """One page of the orders ``query`` asks for, in its sort.

    Raises:
        InputError: contradictory conditions, or a cursor this list and sort did not return.
    """
    query.check()
    statement = filtered(joined(), query, now=now).limit(limit + 1)
    if query.sort is Sort.NEEDED_BY:
        statement = _by_needed_by(statement, cursor)
    else:
        statement = statement.order_by(col(Order.id).desc())
        if cursor is not None:
            statement = statement.where(col(Order.id) < read_cursor(_NEWEST, cursor))
    lines = [OrderLine(*row) for row in session.execute(statement)]
    more = len(lines) > limit
    lines = lines[:limit]
    return OrderPage(lines, _next(lines[-1].row, query.sort) if more and lines else None)


def _by_needed_by(statement: Listed, cursor: str | None) -> Listed:
    missing = col(Order.needed_by).is_(None)
    statement = statement.order_by(missing, col(Order.needed_by), col(Order.id))
    if cursor is None:
        return statement
    needed_by, last_id = read_needed_by_cursor(cursor)
    if needed_by is None:
        return statement.where(missing, col(Order.id) > last_id)
    return statement.where(
        or_(
            col(Order.needed_by) > needed_by,
            and_(col(Order.needed_by) == needed_by, col(Order.id) > last_id),
            missing,
        )
    )


def _next(last: Order, sort: Sort) -> str:
    assert last.id is not None
    if sort is Sort.NEEDED_BY:
        return needed_by_cursor(last.needed_by, last.id)
    return page_cursor(_NEWEST, last.id)
