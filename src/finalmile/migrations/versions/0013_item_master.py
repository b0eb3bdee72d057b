"""The item master, and storage that may be unknown: ``dispatch_order.storage`` and
``order_item.storage`` become nullable (an order whose storage is unknown waits) and each item
records where its storage class came from.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from finalmile.db_types import BigId, ExactDecimal, UtcDateTime

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "item_master",
        sa.Column("id", BigId, nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("ndc", sa.String(length=11), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("storage", sa.String(length=16), nullable=False),
        sa.Column("controlled_schedule", sa.String(length=16), nullable=True),
        sa.Column("dry_ice", sa.Boolean(), nullable=False),
        sa.Column("insulated_shipper", sa.Boolean(), nullable=False),
        sa.Column("hazmat", sa.String(length=300), nullable=False),
        sa.Column("weight_lb", ExactDecimal(), nullable=True),
        sa.Column("length_in", ExactDecimal(), nullable=True),
        sa.Column("width_in", ExactDecimal(), nullable=True),
        sa.Column("height_in", ExactDecimal(), nullable=True),
        sa.Column("handling_notes", sa.String(length=1000), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("scope", "ndc", name="uq_item_master_scope_ndc"),
    )
    with op.batch_alter_table("item_master", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_item_master_ndc"), ["ndc"], unique=False)
    with op.batch_alter_table("dispatch_order", schema=None) as batch_op:
        batch_op.alter_column("storage", existing_type=sa.String(length=16), nullable=True)
    with op.batch_alter_table("order_item", schema=None) as batch_op:
        batch_op.alter_column("storage", existing_type=sa.String(length=16), nullable=True)
        batch_op.add_column(sa.Column("storage_source", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("order_item", schema=None) as batch_op:
        batch_op.drop_column("storage_source")
        batch_op.alter_column("storage", existing_type=sa.String(length=16), nullable=False)
    with op.batch_alter_table("dispatch_order", schema=None) as batch_op:
        batch_op.alter_column("storage", existing_type=sa.String(length=16), nullable=False)
    with op.batch_alter_table("item_master", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_master_ndc"))
    op.drop_table("item_master")
