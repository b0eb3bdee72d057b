"""Temperature logs (readings packed, raw export encrypted) and their evaluations.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from finalmile.db_types import BigId, UtcDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "temperature_log",
        sa.Column("id", BigId, nullable=False),
        sa.Column("order_pk", BigId, nullable=False),
        sa.Column("package", sa.String(length=64), nullable=True),
        sa.Column("layout", sa.String(length=32), nullable=False),
        sa.Column("logger_id", sa.String(length=64), nullable=True),
        sa.Column("interval_seconds", sa.Float(), nullable=False),
        sa.Column("first_at", UtcDateTime(), nullable=False),
        sa.Column("last_at", UtcDateTime(), nullable=False),
        sa.Column("reading_count", sa.Integer(), nullable=False),
        sa.Column("readings", sa.LargeBinary(), nullable=False),
        sa.Column("raw_sha256", sa.String(length=64), nullable=False),
        sa.Column("raw_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", UtcDateTime(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["order_pk"], ["dispatch_order.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("order_pk", "raw_sha256", name="uq_temperature_log_file"),
    )
    with op.batch_alter_table("temperature_log", schema=None) as batch_op:
        batch_op.create_index("ix_temperature_log_order_pk", ["order_pk"], unique=False)

    op.create_table(
        "temperature_evaluation",
        sa.Column("id", BigId, nullable=False),
        sa.Column("log_id", BigId, nullable=False),
        sa.Column("order_pk", BigId, nullable=False),
        sa.Column("storage", sa.String(length=16), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("limits", sa.JSON(), nullable=False),
        sa.Column("evaluated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["log_id"], ["temperature_log.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("temperature_evaluation", schema=None) as batch_op:
        batch_op.create_index("ix_temperature_evaluation_log_id", ["log_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_temperature_evaluation_order_pk"), ["order_pk"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("temperature_evaluation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_temperature_evaluation_order_pk"))
        batch_op.drop_index("ix_temperature_evaluation_log_id")

    op.drop_table("temperature_evaluation")
    with op.batch_alter_table("temperature_log", schema=None) as batch_op:
        batch_op.drop_index("ix_temperature_log_order_pk")

    op.drop_table("temperature_log")
