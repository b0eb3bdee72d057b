"""Redelivery: courier stops put back on a later day's route, and pharmacists' dispositions of
temperature excursions (the note encrypted).

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from finalmile.db_types import BigId, UtcDateTime

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "courier_reattempt",
        sa.Column("id", BigId, primary_key=True),
        sa.Column(
            "order_pk",
            BigId,
            sa.ForeignKey("dispatch_order.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column(
            "shipment_pk", BigId, sa.ForeignKey("shipment.id", ondelete="RESTRICT"), nullable=False
        ),
        sa.Column("delivery_date", sa.Date(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    op.create_index("ix_courier_reattempt_date", "courier_reattempt", ["delivery_date"])
    op.create_table(
        "excursion_disposition",
        sa.Column("id", BigId, primary_key=True),
        sa.Column(
            "order_pk",
            BigId,
            sa.ForeignKey("dispatch_order.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column(
            "evaluation_id",
            BigId,
            sa.ForeignKey("temperature_evaluation.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column("disposition", sa.String(length=16), nullable=False),
        sa.Column("note_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("decided_at", UtcDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("excursion_disposition")
    op.drop_index("ix_courier_reattempt_date", table_name="courier_reattempt")
    op.drop_table("courier_reattempt")
