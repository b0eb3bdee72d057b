"""Initial schema: orders and items, inbound message store, audit trail, API keys.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from finalmile.db_types import BigId, ExactDecimal, UtcDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_key",
        sa.Column("id", BigId, nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("scopes", sa.String(length=200), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("prefix"),
    )
    op.create_table(
        "audit_event",
        sa.Column("id", BigId, nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("from_status", sa.String(length=32), nullable=True),
        sa.Column("to_status", sa.String(length=32), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index("ix_audit_event_entity", ["entity", "entity_id"], unique=False)

    op.create_table(
        "dispatch_order",
        sa.Column("id", BigId, nullable=False),
        sa.Column("connector", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("storage", sa.String(length=16), nullable=False),
        sa.Column("needed_by", UtcDateTime(), nullable=True),
        sa.Column("needed_by_offset_minutes", sa.Integer(), nullable=True),
        sa.Column("requires_signature", sa.Boolean(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("phi_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("order_id", "connector", name="uq_dispatch_order_order_id_connector"),
    )
    with op.batch_alter_table("dispatch_order", schema=None) as batch_op:
        batch_op.create_index("ix_dispatch_order_needed_by", ["needed_by"], unique=False)
        batch_op.create_index("ix_dispatch_order_status", ["status"], unique=False)

    op.create_table(
        "inbound_message",
        sa.Column("id", BigId, nullable=False),
        sa.Column("connector", sa.String(length=64), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("control_id", sa.String(length=200), nullable=True),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("message_type", sa.String(length=32), nullable=True),
        sa.Column("version", sa.String(length=16), nullable=True),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.Column("processed_at", UtcDateTime(), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("raw_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("error_location", sa.String(length=64), nullable=True),
        sa.Column("error_message", sa.String(length=1000), nullable=True),
        sa.Column("duplicate_of", BigId, nullable=True),
        sa.ForeignKeyConstraint(
            ["duplicate_of"],
            ["inbound_message.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedupe_key", "connector", "format", name="uq_inbound_message_dedupe"),
    )
    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        batch_op.create_index("ix_inbound_message_received_at", ["received_at"], unique=False)

    op.create_table(
        "message_order",
        sa.Column("message_id", BigId, nullable=False),
        sa.Column("order_pk", BigId, nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["inbound_message.id"],
        ),
        sa.ForeignKeyConstraint(
            ["order_pk"],
            ["dispatch_order.id"],
        ),
        sa.PrimaryKeyConstraint("message_id", "order_pk"),
    )
    op.create_table(
        "order_item",
        sa.Column("id", BigId, nullable=False),
        sa.Column("order_pk", BigId, nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("ndc", sa.String(length=32), nullable=True),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("quantity", ExactDecimal(), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=True),
        sa.Column("storage", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["order_pk"], ["dispatch_order.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("order_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_item_order_pk"), ["order_pk"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("order_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_item_order_pk"))

    op.drop_table("order_item")
    op.drop_table("message_order")
    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        batch_op.drop_index("ix_inbound_message_received_at")

    op.drop_table("inbound_message")
    with op.batch_alter_table("dispatch_order", schema=None) as batch_op:
        batch_op.drop_index("ix_dispatch_order_status")
        batch_op.drop_index("ix_dispatch_order_needed_by")

    op.drop_table("dispatch_order")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_entity")

    op.drop_table("audit_event")
    op.drop_table("api_key")
