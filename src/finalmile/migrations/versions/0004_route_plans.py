"""Route plans: plans, routes, and stops with ETAs or unassigned reasons.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from finalmile.db_types import BigId, UtcDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "route_plan",
        sa.Column("id", BigId, nullable=False),
        sa.Column("plan_date", sa.Date(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("objective", sa.BigInteger(), nullable=False),
        sa.Column("distance_m", sa.BigInteger(), nullable=False),
        sa.Column("feasible", sa.Boolean(), nullable=False),
        sa.Column("budget_seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("route_plan", schema=None) as batch_op:
        batch_op.create_index("ix_route_plan_plan_date", ["plan_date"], unique=False)

    op.create_table(
        "route_plan_route",
        sa.Column("id", BigId, nullable=False),
        sa.Column("plan_id", BigId, nullable=False),
        sa.Column("driver_id", sa.String(length=64), nullable=False),
        sa.Column("departure", UtcDateTime(), nullable=False),
        sa.Column("return_time", UtcDateTime(), nullable=False),
        sa.Column("distance_m", sa.BigInteger(), nullable=False),
        sa.Column("breaks", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["route_plan.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("route_plan_route", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_route_plan_route_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "route_plan_stop",
        sa.Column("id", BigId, nullable=False),
        sa.Column("plan_id", BigId, nullable=False),
        sa.Column("route_id", BigId, nullable=True),
        sa.Column("order_id", sa.String(length=100), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=True),
        sa.Column("arrival", UtcDateTime(), nullable=True),
        sa.Column("service_start", UtcDateTime(), nullable=True),
        sa.Column("eta_from", UtcDateTime(), nullable=True),
        sa.Column("eta_to", UtcDateTime(), nullable=True),
        sa.Column("unassigned_reason", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(["plan_id"], ["route_plan.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["route_id"], ["route_plan_route.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plan_id", "order_id", name="uq_route_plan_stop_order"),
    )
    with op.batch_alter_table("route_plan_stop", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_route_plan_stop_route_id"), ["route_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("route_plan_stop", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_route_plan_stop_route_id"))

    op.drop_table("route_plan_stop")
    with op.batch_alter_table("route_plan_route", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_route_plan_route_plan_id"))

    op.drop_table("route_plan_route")
    with op.batch_alter_table("route_plan", schema=None) as batch_op:
        batch_op.drop_index("ix_route_plan_plan_date")

    op.drop_table("route_plan")
