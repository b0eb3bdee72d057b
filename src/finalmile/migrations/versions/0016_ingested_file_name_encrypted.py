"""File names may carry patient data: the file ledger stores them encrypted, and a CSV message's
control id names its file by ledger id (``file-<id>:<line>``) instead of by name.

Existing names are encrypted with the configured key (``FINALMILE_SECRET_KEY``, or the
development key file), loaded only when there are rows to convert. The downgrade decrypts them
back; CSV control ids keep the ledger form (the name is no longer in them).

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from finalmile.config import Settings
from finalmile.vault import Vault, vault_from_settings

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_files = sa.table(
    "ingested_file",
    sa.column("id", sa.BigInteger),
    sa.column("connector", sa.String),
    sa.column("sha256", sa.String),
    sa.column("name", sa.String),
    sa.column("name_encrypted", sa.LargeBinary),
)
_messages = sa.table(
    "inbound_message",
    sa.column("id", sa.BigInteger),
    sa.column("connector", sa.String),
    sa.column("format", sa.String),
    sa.column("control_id", sa.String),
    sa.column("dedupe_key", sa.String),
)


def _vault() -> Vault:
    return vault_from_settings(Settings())


def upgrade() -> None:
    with op.batch_alter_table("ingested_file", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_encrypted", sa.LargeBinary(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.select(_files.c.id, _files.c.connector, _files.c.sha256, _files.c.name))
    vault, ids = None, {}
    for file_id, connector, sha256, name in rows.all():
        vault = vault or _vault()
        encrypted = vault.encrypt(name.encode(errors="surrogateescape"))
        bind.execute(_files.update().where(_files.c.id == file_id).values(name_encrypted=encrypted))
        ids[(connector, sha256)] = file_id
    csv = bind.execute(
        sa.select(_messages.c.id, _messages.c.connector, _messages.c.dedupe_key).where(
            _messages.c.format == "csv", _messages.c.control_id.is_not(None)
        )
    )
    for message_id, connector, dedupe_key in csv.all():
        sha256, _, line = (dedupe_key or "").partition(":")
        file_id = ids.get((connector, sha256))
        control_id = f"file-{file_id}:{line}" if file_id is not None and line else None
        bind.execute(
            _messages.update().where(_messages.c.id == message_id).values(control_id=control_id)
        )
    with op.batch_alter_table("ingested_file", schema=None) as batch_op:
        batch_op.alter_column("name_encrypted", existing_type=sa.LargeBinary(), nullable=False)
        batch_op.drop_column("name")


def downgrade() -> None:
    with op.batch_alter_table("ingested_file", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name", sa.String(length=255), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.select(_files.c.id, _files.c.name_encrypted)).all()
    vault = _vault() if rows else None
    for file_id, encrypted in rows:
        assert vault is not None
        name = vault.decrypt(encrypted).decode(errors="replace")[-255:]
        bind.execute(_files.update().where(_files.c.id == file_id).values(name=name))
    with op.batch_alter_table("ingested_file", schema=None) as batch_op:
        batch_op.alter_column("name", existing_type=sa.String(length=255), nullable=False)
        batch_op.drop_column("name_encrypted")
