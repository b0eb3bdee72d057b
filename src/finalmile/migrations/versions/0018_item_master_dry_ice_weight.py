"""The item master gives the dry ice packed with a product (``dry_ice_weight_lb``), which carriers
must be told when a label is bought.

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from finalmile.db_types import ExactDecimal

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("item_master", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dry_ice_weight_lb", ExactDecimal(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("item_master", schema=None) as batch_op:
        batch_op.drop_column("dry_ice_weight_lb")
