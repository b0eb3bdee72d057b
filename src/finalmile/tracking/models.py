"""Tracking tables: carrier and driver events, current status, proof of delivery, custody.

Append-only: ``tracking_event``, ``custody_event`` and ``tracking_webhook_receipt`` are only
ever inserted into. ``tracking_state`` is derived (recomputed from the events of its shipment),
and ``delivery_proof`` only gains evidence it did not have. Patient data (a signer's printed
name, GPS at the door, carrier scan messages and locations, signature and photo images) is stored
encrypted by the vault; plain columns hold codes, times and ids.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from finalmile.carriers import TrackingStatus
from finalmile.db_types import BigId, UtcDateTime, ValueEnum, restricted_fk


class WebhookReceipt(SQLModel, table=True):
    """A carrier webhook delivery that was verified and processed, by the provider's event id."""

    __tablename__ = "tracking_webhook_receipt"
    __table_args__ = (
        UniqueConstraint("provider", "event_id", name="uq_tracking_webhook_receipt_event"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    provider: str = Field(max_length=16)
    event_id: str = Field(max_length=100)
    shipment_pk: int | None = Field(default=None, sa_column=Column(BigId, nullable=True))
    new_events: int
    received_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


class TrackingEventRow(SQLModel, table=True):
    """One scan or driver update of a shipment, normalized; ``event_key`` dedupes it."""

    __tablename__ = "tracking_event"
    __table_args__ = (
        UniqueConstraint("shipment_pk", "event_key", name="uq_tracking_event_key"),
        Index("ix_tracking_event_order_pk", "order_pk"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    shipment_pk: int = Field(sa_column=restricted_fk("shipment"))
    order_pk: int = Field(sa_column=restricted_fk("dispatch_order"))
    source: str = Field(max_length=16, description="easypost, shippo, poll or driver")
    event_key: str = Field(max_length=64)
    status: TrackingStatus = Field(sa_column=Column(ValueEnum(TrackingStatus), nullable=False))
    detail: str = Field(max_length=32, description="A TrackingDetail value")
    provider_status: str | None = Field(default=None, max_length=32)
    provider_detail: str | None = Field(default=None, max_length=64)
    occurred_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    received_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    evidence_encrypted: bytes | None = Field(
        default=None, sa_column=Column(LargeBinary, nullable=True)
    )


class TrackingState(SQLModel, table=True):
    """The current status of a shipment, derived from all its events (never regresses)."""

    __tablename__ = "tracking_state"
    __table_args__ = (
        Index("ix_tracking_state_order_pk", "order_pk"),
        Index("ix_tracking_state_status", "status"),
    )

    shipment_pk: int = Field(sa_column=restricted_fk("shipment", primary_key=True))
    order_pk: int = Field(sa_column=restricted_fk("dispatch_order"))
    status: TrackingStatus = Field(sa_column=Column(ValueEnum(TrackingStatus), nullable=False))
    detail: str = Field(max_length=32)
    status_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    shipped_at: dt.datetime | None = Field(default=None, sa_column=Column(UtcDateTime))
    delivered_at: dt.datetime | None = Field(default=None, sa_column=Column(UtcDateTime))
    last_event_at: dt.datetime | None = Field(default=None, sa_column=Column(UtcDateTime))
    last_polled_at: dt.datetime | None = Field(default=None, sa_column=Column(UtcDateTime))
    updated_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


class DeliveryProof(SQLModel, table=True):
    """Proof of delivery of one shipment: the driver's ePOD or the carrier's delivery evidence.

    ``evidence_encrypted`` is JSON: ``signer_name``, ``gps`` (lat, lon, accuracy_m),
    ``carrier_signed_by``; images are separate encrypted columns with their SHA-256.
    """

    __tablename__ = "delivery_proof"
    __table_args__ = (Index("ix_delivery_proof_order_pk", "order_pk"),)

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    order_pk: int = Field(sa_column=restricted_fk("dispatch_order"))
    shipment_pk: int = Field(
        sa_column=Column(
            BigId, ForeignKey("shipment.id", ondelete="RESTRICT"), nullable=False, unique=True
        )
    )
    source: str = Field(max_length=16, description="driver or carrier")
    carrier: str | None = Field(default=None, max_length=64)
    tracking_number: str | None = Field(default=None, max_length=64)
    delivered_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    relationship: str | None = Field(default=None, max_length=32)
    driver_pk: int | None = Field(default=None, sa_column=Column(BigId, nullable=True))
    driver_update_id: int | None = Field(default=None, sa_column=Column(BigId, nullable=True))
    signed_by_driver: bool = False
    has_signer_name: bool = False
    carrier_signed: bool = False
    proof_url: str | None = Field(default=None, max_length=500)
    signature_sha256: str | None = Field(default=None, max_length=64)
    signature_encrypted: bytes | None = Field(
        default=None, sa_column=Column(LargeBinary, nullable=True)
    )
    photo_sha256: str | None = Field(default=None, max_length=64)
    photo_media_type: str | None = Field(default=None, max_length=32)
    photo_encrypted: bytes | None = Field(
        default=None, sa_column=Column(LargeBinary, nullable=True)
    )
    evidence_encrypted: bytes | None = Field(
        default=None, sa_column=Column(LargeBinary, nullable=True)
    )
    complete_at: dt.datetime | None = Field(default=None, sa_column=Column(UtcDateTime))
    created_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    updated_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


class CustodyEvent(SQLModel, table=True):
    """One handoff of an order's package; ``hash`` covers ``prev_hash`` and this row's content."""

    __tablename__ = "custody_event"
    __table_args__ = (UniqueConstraint("order_pk", "seq", name="uq_custody_event_seq"),)

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    order_pk: int = Field(sa_column=restricted_fk("dispatch_order"))
    seq: int
    kind: str = Field(max_length=32)
    actor: str = Field(max_length=100)
    at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
    recorded_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
