"""Order tables. Patient and address live encrypted in ``phi_encrypted``; the rest is plain."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from finalmile.canonical import ControlledSchedule, StorageClass, StorageSource
from finalmile.db_types import BigId, ExactDecimal, UtcDateTime, ValueEnum


class OrderStatus(StrEnum):
    """Where an order stands, in the same words for every delivery type (see ``lifecycle``)."""

    RECEIVED = "received"
    HELD = "held"
    READY = "ready"
    DISPATCHED = "dispatched"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    FAILED_ATTEMPT = "failed_attempt"
    RETURNED = "returned"
    CANCELLED = "cancelled"


class BillingStatus(StrEnum):
    """Whether the order's delivery confirmation (the billing trigger) has been issued."""

    NOT_READY = "not_ready"
    CONFIRMED = "confirmed"


class Order(SQLModel, table=True):
    """A stored dispatch order; ``version`` counts accepted changes from the PMS."""

    __tablename__ = "dispatch_order"
    __table_args__ = (
        UniqueConstraint("order_id", "connector", name="uq_dispatch_order_order_id_connector"),
        Index("ix_dispatch_order_status", "status"),
        Index("ix_dispatch_order_billing_status", "billing_status"),
        Index("ix_dispatch_order_needed_by", "needed_by"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    connector: str = Field(max_length=64)
    order_id: str = Field(max_length=100)
    status: OrderStatus = Field(sa_column=Column(ValueEnum(OrderStatus), nullable=False))
    #: When ``status`` last changed.
    status_at: dt.datetime | None = Field(default=None, sa_column=Column(UtcDateTime))
    billing_status: BillingStatus = Field(
        default=BillingStatus.NOT_READY,
        sa_column=Column(ValueEnum(BillingStatus), nullable=False, server_default="not_ready"),
    )
    version: int = 1
    #: The strictest class among the items; None while an item's class is unknown.
    storage: StorageClass | None = Field(
        default=None, sa_column=Column(ValueEnum(StorageClass), nullable=True)
    )
    needed_by: dt.datetime | None = Field(default=None, sa_column=Column(UtcDateTime))
    needed_by_offset_minutes: int | None = None
    requires_signature: bool = False
    content_sha256: str = Field(max_length=64)
    phi_encrypted: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    updated_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


class OrderItem(SQLModel, table=True):
    """One line of an order, in the order the PMS sent it."""

    __tablename__ = "order_item"

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    order_pk: int = Field(
        sa_column=Column(
            BigId, ForeignKey("dispatch_order.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    line: int
    ndc: str | None = Field(default=None, max_length=32)
    description: str | None = Field(default=None, max_length=500)
    quantity: Decimal = Field(sa_column=Column(ExactDecimal, nullable=False))
    unit: str | None = Field(default=None, max_length=32)
    storage: StorageClass | None = Field(
        default=None, sa_column=Column(ValueEnum(StorageClass), nullable=True)
    )
    storage_source: StorageSource | None = Field(
        default=None, sa_column=Column(ValueEnum(StorageSource), nullable=True)
    )
    controlled_schedule: ControlledSchedule | None = Field(
        default=None, sa_column=Column(ValueEnum(ControlledSchedule), nullable=True)
    )
    code: str | None = Field(default=None, max_length=64)
    system: str | None = Field(default=None, max_length=300)
