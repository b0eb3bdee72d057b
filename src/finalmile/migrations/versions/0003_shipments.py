"""Shipments and their encrypted label files; at most one live shipment per order.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from finalmile.db_types import BigId, ExactDecimal, UtcDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("state IN ('intent', 'purchasing', 'purchased')")


def upgrade() -> None:
    op.create_table(
        "shipment",
        sa.Column("id", BigId, nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("order_pk", BigId, nullable=False),
        sa.Column("order_id", sa.String(length=100), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("carrier_type", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("requested_service", sa.String(length=100), nullable=True),
        sa.Column("carrier", sa.String(length=64), nullable=True),
        sa.Column("service", sa.String(length=100), nullable=True),
        sa.Column("provider_shipment_id", sa.String(length=100), nullable=True),
        sa.Column("rate_id", sa.String(length=100), nullable=True),
        sa.Column("transaction_id", sa.String(length=100), nullable=True),
        sa.Column("tracking_number", sa.String(length=64), nullable=True),
        sa.Column("tracker_id", sa.String(length=100), nullable=True),
        sa.Column("tracking_url", sa.String(length=500), nullable=True),
        sa.Column("label_url", sa.String(length=1000), nullable=True),
        sa.Column("label_format", sa.String(length=8), nullable=True),
        sa.Column("amount", ExactDecimal(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(length=32), nullable=True),
        sa.Column("lease_until", UtcDateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("refund_status", sa.String(length=16), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("purchased_at", UtcDateTime(), nullable=True),
        sa.Column("voided_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["order_pk"], ["dispatch_order.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("shipment", schema=None) as batch_op:
        batch_op.create_index("ix_shipment_state", ["state"], unique=False)
        batch_op.create_index("ix_shipment_tracking_number", ["tracking_number"], unique=False)
        batch_op.create_index(
            "uq_shipment_live_order",
            ["order_pk"],
            unique=True,
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        )

    op.create_table(
        "shipment_label",
        sa.Column("shipment_pk", BigId, autoincrement=False, nullable=False),
        sa.Column("label_format", sa.String(length=8), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("content_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("stored_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["shipment_pk"], ["shipment.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("shipment_pk"),
    )


def downgrade() -> None:
    op.drop_table("shipment_label")
    with op.batch_alter_table("shipment", schema=None) as batch_op:
        batch_op.drop_index("uq_shipment_live_order")
        batch_op.drop_index("ix_shipment_tracking_number")
        batch_op.drop_index("ix_shipment_state")
    op.drop_table("shipment")
