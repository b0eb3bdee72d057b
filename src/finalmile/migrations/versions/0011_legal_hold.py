"""Legal holds on an order's evidence (reason and reference encrypted); at most one active.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from finalmile.db_types import BigId, UtcDateTime

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE = sa.text("released_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "legal_hold",
        sa.Column("id", BigId, nullable=False),
        sa.Column("order_pk", BigId, nullable=False),
        sa.Column("placed_at", UtcDateTime(), nullable=False),
        sa.Column("placed_by", sa.String(length=100), nullable=False),
        sa.Column("reason_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("reference_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("released_at", UtcDateTime(), nullable=True),
        sa.Column("released_by", sa.String(length=100), nullable=True),
        sa.Column("release_reason_encrypted", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["order_pk"], ["dispatch_order.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("legal_hold", schema=None) as batch_op:
        batch_op.create_index("ix_legal_hold_order_pk", ["order_pk"], unique=False)
        batch_op.create_index(
            "uq_legal_hold_active_order",
            ["order_pk"],
            unique=True,
            sqlite_where=ACTIVE,
            postgresql_where=ACTIVE,
        )


def downgrade() -> None:
    with op.batch_alter_table("legal_hold", schema=None) as batch_op:
        batch_op.drop_index("uq_legal_hold_active_order")
        batch_op.drop_index("ix_legal_hold_order_pk")
    op.drop_table("legal_hold")
