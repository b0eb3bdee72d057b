"""Tracking: carrier and driver events, current status, drivers and their stops, proof of
delivery, and the hash-linked chain of custody.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from finalmile.db_types import BigId, UtcDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "driver",
        sa.Column("id", BigId, nullable=False),
        sa.Column("driver_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_prefix", sa.String(length=16), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("driver_id"),
        sa.UniqueConstraint("token_prefix"),
    )
    op.create_table(
        "tracking_webhook_receipt",
        sa.Column("id", BigId, nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("event_id", sa.String(length=100), nullable=False),
        sa.Column("shipment_pk", BigId, nullable=True),
        sa.Column("new_events", sa.Integer(), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("provider", "event_id", name="uq_tracking_webhook_receipt_event"),
    )
    op.create_table(
        "custody_event",
        sa.Column("id", BigId, nullable=False),
        sa.Column("order_pk", BigId, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["order_pk"], ["dispatch_order.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("order_pk", "seq", name="uq_custody_event_seq"),
    )
    op.create_table(
        "courier_assignment",
        sa.Column("shipment_pk", BigId, autoincrement=False, nullable=False),
        sa.Column("driver_pk", BigId, nullable=False),
        sa.Column("assigned_at", UtcDateTime(), nullable=False),
        sa.Column("assigned_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["driver_pk"], ["driver.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["shipment_pk"], ["shipment.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("shipment_pk"),
    )
    op.create_index(
        "ix_courier_assignment_driver_pk", "courier_assignment", ["driver_pk"], unique=False
    )
    op.create_table(
        "delivery_proof",
        sa.Column("id", BigId, nullable=False),
        sa.Column("order_pk", BigId, nullable=False),
        sa.Column("shipment_pk", BigId, nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("carrier", sa.String(length=64), nullable=True),
        sa.Column("tracking_number", sa.String(length=64), nullable=True),
        sa.Column("delivered_at", UtcDateTime(), nullable=False),
        sa.Column("relationship", sa.String(length=32), nullable=True),
        sa.Column("driver_pk", BigId, nullable=True),
        sa.Column("driver_update_id", BigId, nullable=True),
        sa.Column("signed_by_driver", sa.Boolean(), nullable=False),
        sa.Column("has_signer_name", sa.Boolean(), nullable=False),
        sa.Column("carrier_signed", sa.Boolean(), nullable=False),
        sa.Column("proof_url", sa.String(length=500), nullable=True),
        sa.Column("signature_sha256", sa.String(length=64), nullable=True),
        sa.Column("signature_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("photo_sha256", sa.String(length=64), nullable=True),
        sa.Column("photo_media_type", sa.String(length=32), nullable=True),
        sa.Column("photo_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("evidence_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("complete_at", UtcDateTime(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["order_pk"], ["dispatch_order.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["shipment_pk"], ["shipment.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("shipment_pk"),
    )
    op.create_index("ix_delivery_proof_order_pk", "delivery_proof", ["order_pk"], unique=False)
    op.create_table(
        "driver_update",
        sa.Column("id", BigId, nullable=False),
        sa.Column("driver_pk", BigId, nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("shipment_pk", BigId, nullable=False),
        sa.Column("order_pk", BigId, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.Column("evidence_encrypted", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["driver_pk"], ["driver.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["order_pk"], ["dispatch_order.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["shipment_pk"], ["shipment.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("driver_pk", "client_id", name="uq_driver_update_client_id"),
    )
    op.create_index("ix_driver_update_shipment_pk", "driver_update", ["shipment_pk"], unique=False)
    op.create_table(
        "tracking_event",
        sa.Column("id", BigId, nullable=False),
        sa.Column("shipment_pk", BigId, nullable=False),
        sa.Column("order_pk", BigId, nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("event_key", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.String(length=32), nullable=False),
        sa.Column("provider_status", sa.String(length=32), nullable=True),
        sa.Column("provider_detail", sa.String(length=64), nullable=True),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.Column("evidence_encrypted", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["order_pk"], ["dispatch_order.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["shipment_pk"], ["shipment.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("shipment_pk", "event_key", name="uq_tracking_event_key"),
    )
    op.create_index("ix_tracking_event_order_pk", "tracking_event", ["order_pk"], unique=False)
    op.create_table(
        "tracking_state",
        sa.Column("shipment_pk", BigId, autoincrement=False, nullable=False),
        sa.Column("order_pk", BigId, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.String(length=32), nullable=False),
        sa.Column("status_at", UtcDateTime(), nullable=False),
        sa.Column("shipped_at", UtcDateTime(), nullable=True),
        sa.Column("delivered_at", UtcDateTime(), nullable=True),
        sa.Column("last_event_at", UtcDateTime(), nullable=True),
        sa.Column("last_polled_at", UtcDateTime(), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["order_pk"], ["dispatch_order.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["shipment_pk"], ["shipment.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("shipment_pk"),
    )
    op.create_index("ix_tracking_state_order_pk", "tracking_state", ["order_pk"], unique=False)
    op.create_index("ix_tracking_state_status", "tracking_state", ["status"], unique=False)


def downgrade() -> None:

    op.drop_index("ix_tracking_state_status", table_name="tracking_state")
    op.drop_index("ix_tracking_state_order_pk", table_name="tracking_state")
    op.drop_table("tracking_state")
    op.drop_index("ix_tracking_event_order_pk", table_name="tracking_event")
    op.drop_table("tracking_event")
    op.drop_index("ix_driver_update_shipment_pk", table_name="driver_update")
    op.drop_table("driver_update")
    op.drop_index("ix_delivery_proof_order_pk", table_name="delivery_proof")
    op.drop_table("delivery_proof")
    op.drop_index("ix_courier_assignment_driver_pk", table_name="courier_assignment")
    op.drop_table("courier_assignment")
    op.drop_table("custody_event")
    op.drop_table("tracking_webhook_receipt")
    op.drop_table("driver")
