"""Route plans as operations: the day each plan was made from (encrypted), re-plans superseding
their predecessor, and per-stop progress with current ETAs.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from finalmile.db_types import BigId, UtcDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("route_plan", schema=None) as batch_op:
        batch_op.add_column(sa.Column("day_encrypted", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("previous_plan_id", BigId, nullable=True))
        batch_op.add_column(sa.Column("superseded_at", UtcDateTime(), nullable=True))
        batch_op.create_foreign_key(
            "fk_route_plan_previous_plan_id", "route_plan", ["previous_plan_id"], ["id"]
        )
    with op.batch_alter_table("route_plan_stop", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("late", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("eta_updated_at", UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column("reported", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("reported_at", UtcDateTime(), nullable=True))
        batch_op.create_index("ix_route_plan_stop_order_id", ["order_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("route_plan_stop", schema=None) as batch_op:
        batch_op.drop_index("ix_route_plan_stop_order_id")
        batch_op.drop_column("reported_at")
        batch_op.drop_column("reported")
        batch_op.drop_column("eta_updated_at")
        batch_op.drop_column("late")
    with op.batch_alter_table("route_plan", schema=None) as batch_op:
        batch_op.drop_constraint("fk_route_plan_previous_plan_id", type_="foreignkey")
        batch_op.drop_column("superseded_at")
        batch_op.drop_column("previous_plan_id")
        batch_op.drop_column("day_encrypted")
