"""Rules: activated rule-set versions per site, and the delivery decisions made for orders.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from finalmile.db_types import BigId, ExactDecimal, UtcDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rule_set_version",
        sa.Column("id", BigId, nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("activated_at", UtcDateTime(), nullable=False),
        sa.Column("activated_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("site", "version", name="uq_rule_set_version_site_version"),
    )
    with op.batch_alter_table("rule_set_version", schema=None) as batch_op:
        batch_op.create_index("ix_rule_set_version_site_active", ["site", "active"], unique=False)

    op.create_table(
        "delivery_decision",
        sa.Column("id", BigId, nullable=False),
        sa.Column("order_pk", BigId, nullable=False),
        sa.Column("order_version", sa.Integer(), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("rule_set_pk", BigId, nullable=True),
        sa.Column("rule_set_version", sa.Integer(), nullable=True),
        sa.Column("delivery_type", sa.String(length=16), nullable=False),
        sa.Column("carrier", sa.String(length=64), nullable=True),
        sa.Column("service", sa.String(length=64), nullable=True),
        sa.Column("estimated_delivery", UtcDateTime(), nullable=True),
        sa.Column("cost", ExactDecimal(), nullable=True),
        sa.Column("decision_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["order_pk"], ["dispatch_order.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["rule_set_pk"], ["rule_set_version.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("delivery_decision", schema=None) as batch_op:
        batch_op.create_index(
            "ix_delivery_decision_order", ["order_pk", "order_version"], unique=False
        )
        batch_op.create_index("ix_delivery_decision_type", ["delivery_type", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("delivery_decision", schema=None) as batch_op:
        batch_op.drop_index("ix_delivery_decision_type")
        batch_op.drop_index("ix_delivery_decision_order")
    op.drop_table("delivery_decision")
    with op.batch_alter_table("rule_set_version", schema=None) as batch_op:
        batch_op.drop_index("ix_rule_set_version_site_active")
    op.drop_table("rule_set_version")
