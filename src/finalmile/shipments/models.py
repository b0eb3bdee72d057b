"""Shipment tables.

State machine of a shipment (``ShipmentState``)::

    (quote) --commit--> purchasing --buy, or reconcile finds it--> purchased --void--> voided
                            |                                          |
                            +--permanent refusal--> failed             +--reship--> replaced

A row is written only once there is something to protect: the provider's shipment id and the chosen
rate, committed together with the first attempt *before* the buy is sent (quoting creates nothing
that costs money, so it happens before any row exists; a refused quote is kept as a ``failed`` row
for the record). ``purchasing`` and ``purchased`` are *live*: the partial unique index
``uq_shipment_live_order`` lets an order have at most one live shipment, on SQLite and PostgreSQL.
A reship replaces a live shipment whose label can no longer be voided (the parcel moved):
``replaced`` keeps it and its events as history without it being live. A row left in ``purchasing``
is reconciled with the provider before anything is bought again."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, ColumnElement, ForeignKey, Index, LargeBinary, bindparam, text
from sqlmodel import Field, SQLModel, col

from finalmile.db_types import BigId, ExactDecimal, UtcDateTime, ValueEnum


class ShipmentState(StrEnum):
    """Where a shipment stands (see the module docstring)."""

    PURCHASING = "purchasing"
    PURCHASED = "purchased"
    FAILED = "failed"
    VOIDED = "voided"
    REPLACED = "replaced"


LIVE_STATES = (ShipmentState.PURCHASING, ShipmentState.PURCHASED)
UNFINISHED_STATES = (ShipmentState.PURCHASING,)
_LIVE_SQL = text("state IN ('purchasing', 'purchased')")


class Shipment(SQLModel, table=True):
    """One attempt to ship an order with one carrier account."""

    __tablename__ = "shipment"
    __table_args__ = (
        Index(
            "uq_shipment_live_order",
            "order_pk",
            unique=True,
            sqlite_where=_LIVE_SQL,
            postgresql_where=_LIVE_SQL,
        ),
        Index("ix_shipment_state", "state"),
        Index("ix_shipment_tracking_number", "tracking_number"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    key: str = Field(max_length=32, unique=True, description="Our reference, sent to carriers")
    order_pk: int = Field(
        sa_column=Column(
            BigId, ForeignKey("dispatch_order.id", ondelete="RESTRICT"), nullable=False
        )
    )
    order_id: str = Field(max_length=100)
    account: str = Field(max_length=64, description="Configured carrier account name")
    carrier_type: str = Field(max_length=32, description="Integration slug")
    state: ShipmentState = Field(sa_column=Column(ValueEnum(ShipmentState), nullable=False))
    requested_service: str | None = Field(default=None, max_length=100)
    carrier: str | None = Field(default=None, max_length=64, description="Chosen carrier")
    service: str | None = Field(default=None, max_length=100, description="Chosen service")
    provider_shipment_id: str | None = Field(default=None, max_length=100)
    rate_id: str | None = Field(default=None, max_length=100)
    transaction_id: str | None = Field(default=None, max_length=100)
    tracking_number: str | None = Field(default=None, max_length=64)
    tracker_id: str | None = Field(default=None, max_length=100)
    tracking_url: str | None = Field(default=None, max_length=500)
    label_url: str | None = Field(default=None, max_length=1000)
    label_format: str | None = Field(default=None, max_length=8)
    amount: Decimal | None = Field(default=None, sa_column=Column(ExactDecimal))
    currency: str | None = Field(default=None, max_length=3)
    options: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    attempts: int = 0
    lease_owner: str | None = Field(default=None, max_length=32)
    lease_until: dt.datetime | None = Field(default=None, sa_column=Column(UtcDateTime))
    last_error: str | None = Field(default=None, max_length=300)
    refund_status: str | None = Field(default=None, max_length=16)
    created_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    updated_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    purchased_at: dt.datetime | None = Field(default=None, sa_column=Column(UtcDateTime))
    voided_at: dt.datetime | None = Field(default=None, sa_column=Column(UtcDateTime))


class ShipmentLabel(SQLModel, table=True):
    """The label file of a purchased shipment, encrypted (it prints the patient's address)."""

    __tablename__ = "shipment_label"

    shipment_pk: int = Field(
        sa_column=Column(
            BigId,
            ForeignKey("shipment.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        )
    )
    label_format: str = Field(max_length=8)
    sha256: str = Field(max_length=64)
    size_bytes: int
    content_encrypted: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    stored_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


def is_live() -> ColumnElement[bool]:
    """SQL condition: the shipment is live. Its states are written into the statement, not
    bound, so SQLite can use the partial index ``uq_shipment_live_order`` to join an order's live
    shipment (with bound values it scans every shipment for each order)."""
    states = [s.value for s in LIVE_STATES]
    return col(Shipment.state).in_(
        bindparam("live_states", states, expanding=True, literal_execute=True)
    )
