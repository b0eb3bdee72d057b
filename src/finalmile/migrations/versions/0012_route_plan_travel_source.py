"""Route plans record the travel-time source that priced them (``haversine`` for every plan made
before: they all were).

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("route_plan", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "travel_source",
                sa.String(length=300),
                nullable=False,
                server_default="haversine",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("route_plan", schema=None) as batch_op:
        batch_op.drop_column("travel_source")
