"""Driver tables: drivers with their API tokens, who carries which courier shipment, and the
updates drivers sent.

``driver_update`` is append-only; its patient data (a signer's printed name, GPS at the door,
signature and photo images) is stored encrypted by the vault.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from finalmile.db_types import BigId, UtcDateTime, restricted_fk


class Driver(SQLModel, table=True):
    """A courier driver with an API token (only its SHA-256 is kept)."""

    __tablename__ = "driver"

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    driver_id: str = Field(max_length=64, unique=True, description="As in route plans")
    name: str = Field(max_length=100, description="The driver's own printed name")
    token_prefix: str = Field(max_length=16, unique=True)
    token_sha256: str = Field(max_length=64)
    created_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    revoked_at: dt.datetime | None = Field(default=None, sa_column=Column(UtcDateTime))


class CourierAssignment(SQLModel, table=True):
    """Which driver carries a courier shipment (one at a time)."""

    __tablename__ = "courier_assignment"
    __table_args__ = (Index("ix_courier_assignment_driver_pk", "driver_pk"),)

    shipment_pk: int = Field(sa_column=restricted_fk("shipment", primary_key=True))
    driver_pk: int = Field(sa_column=restricted_fk("driver"))
    assigned_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    assigned_by: str = Field(max_length=100)


class DriverUpdate(SQLModel, table=True):
    """A driver's update as received, keyed by the app's own id so a resend counts once."""

    __tablename__ = "driver_update"
    __table_args__ = (
        UniqueConstraint("driver_pk", "client_id", name="uq_driver_update_client_id"),
        Index("ix_driver_update_shipment_pk", "shipment_pk"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    driver_pk: int = Field(sa_column=restricted_fk("driver"))
    client_id: str = Field(max_length=64)
    content_sha256: str = Field(max_length=64)
    shipment_pk: int = Field(sa_column=restricted_fk("shipment"))
    order_pk: int = Field(sa_column=restricted_fk("dispatch_order"))
    kind: str = Field(max_length=16, description="picked_up, arrived, delivered, attempt_failed")
    reason: str | None = Field(default=None, max_length=32)
    occurred_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    received_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    evidence_encrypted: bytes | None = Field(
        default=None, sa_column=Column(LargeBinary, nullable=True)
    )
