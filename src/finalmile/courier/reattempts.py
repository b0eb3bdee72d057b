"""Reattempts: a courier stop whose delivery failed, put back on a route for a later day.

A reattempt is stored for its delivery date; the courier day for that date (``stored_day``)
takes the order as a job again while the order is ``dispatched`` and its courier shipment is
still live, so the day's plan routes it and ``assign_plan`` hands it to that day's driver.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import Column, Date, Index, func, select
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel, col

from finalmile.db_types import BigId, UtcDateTime, restricted_fk
from finalmile.orders import Order, OrderStatus
from finalmile.rules import WEEKDAYS, SiteConfig
from finalmile.shipments import Shipment, ShipmentState


class CourierReattempt(SQLModel, table=True):
    """One failed courier stop put back on the route of ``delivery_date``."""

    __tablename__ = "courier_reattempt"
    __table_args__ = (Index("ix_courier_reattempt_date", "delivery_date"),)

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    order_pk: int = Field(sa_column=restricted_fk("dispatch_order"))
    shipment_pk: int = Field(sa_column=restricted_fk("shipment"))
    delivery_date: dt.date = Field(sa_column=Column(Date, nullable=False))
    actor: str = Field(max_length=100)
    created_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


def next_delivery_day(config: SiteConfig, now: dt.datetime) -> dt.date | None:
    """The first day after ``now`` (in the site's time zone) on which a courier shift runs."""
    if config.courier is None:
        return None
    today = now.astimezone(ZoneInfo(config.timezone)).date()
    for ahead in range(1, 8):
        day = today + dt.timedelta(days=ahead)
        if any(WEEKDAYS[day.weekday()] in shift.days for shift in config.courier.shifts):
            return day
    return None


def reattempts_on(session: Session, date: dt.date) -> list[Order]:
    """The orders put back on the route of ``date`` that still wait for it (``dispatched``,
    their courier shipment live); only each order's newest reattempt counts."""
    newest = select(func.max(CourierReattempt.id)).group_by(col(CourierReattempt.order_pk))
    statement = (
        select(Order)
        .join(CourierReattempt, col(CourierReattempt.order_pk) == col(Order.id))
        .join(Shipment, col(Shipment.id) == col(CourierReattempt.shipment_pk))
        .where(
            col(CourierReattempt.id).in_(newest),
            col(CourierReattempt.delivery_date) == date,
            col(Order.status) == OrderStatus.DISPATCHED.value,
            col(Shipment.state) == ShipmentState.PURCHASED.value,
        )
        .order_by(col(Order.id))
    )
    return list(session.scalars(statement))
