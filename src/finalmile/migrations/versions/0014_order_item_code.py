"""Order items keep a product code other than the NDC (RxNorm, SNOMED CT, ...) and its system.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
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
