"""Order items keep a product code other than the NDC (RxNorm, SNOMED CT, ...) and its system.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("order_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("code", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("system", sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("order_item", schema=None) as batch_op:
        batch_op.drop_column("system")
        batch_op.drop_column("code")
