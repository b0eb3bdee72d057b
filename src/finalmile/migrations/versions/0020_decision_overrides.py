"""Safe overrides: a decision made by staff against the rules' choice names the decision it
superseded (``delivery_decision.overrides_id``); who, which role and why are in its encrypted
decision JSON and in the order's history (action ``override``).

Revision ID: 0020
Revises: 0019
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from finalmile.db_types import BigId

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("delivery_decision", schema=None) as batch_op:
        batch_op.add_column(sa.Column("overrides_id", BigId, nullable=True))
        batch_op.create_foreign_key(
            "fk_delivery_decision_overrides_id", "delivery_decision", ["overrides_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("delivery_decision", schema=None) as batch_op:
        batch_op.drop_constraint("fk_delivery_decision_overrides_id", type_="foreignkey")
        batch_op.drop_column("overrides_id")
