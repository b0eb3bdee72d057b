"""A resend is recognised by its dedupe key and its content: inbound messages record a content
key (part of the unique dedupe key) and a flag for a dedupe key reused with other content.

Rows stored before keep ``content_key`` NULL and are compared by ``sha256``.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("flag", sa.String(length=16), nullable=True))
        batch_op.drop_constraint("uq_inbound_message_dedupe", type_="unique")
        batch_op.create_unique_constraint(
            "uq_inbound_message_dedupe", ["dedupe_key", "connector", "format", "content_key"]
        )
        batch_op.create_index("ix_inbound_message_flag", ["flag"], unique=False)


def downgrade() -> None:
    # Rows sharing a dedupe key (reused ids) cannot all keep it under the narrower constraint:
    # the later ones give it up, as a resend's row does.
    op.execute("UPDATE inbound_message SET dedupe_key = NULL WHERE flag IS NOT NULL")
    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        batch_op.drop_index("ix_inbound_message_flag")
        batch_op.drop_constraint("uq_inbound_message_dedupe", type_="unique")
        batch_op.create_unique_constraint(
            "uq_inbound_message_dedupe", ["dedupe_key", "connector", "format"]
        )
        batch_op.drop_column("flag")
        batch_op.drop_column("content_key")
