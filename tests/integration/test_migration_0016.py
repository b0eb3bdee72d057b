"""Migration 0016 encrypts the file names already in the ledger and takes them out of CSV
control ids, on every backend."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from alembic import command
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from finalmile.db import alembic_config
from finalmile.db_types import UtcDateTime
from finalmile.intake.models import IngestedFile
from finalmile.messages.models import InboundMessage, MessageFormat, MessageStatus
from finalmile.vault import Vault

SHA = "ab" * 32
NAME = "testpatient_alpha_rx.csv"  # a synthetic patient's name in a file name

_old_files = sa.table(
    "ingested_file",
    sa.column("connector", sa.String),
    sa.column("sha256", sa.String),
    sa.column("name", sa.String),
    sa.column("size_bytes", sa.Integer),
    sa.column("received_at", UtcDateTime),
    sa.column("status", sa.String),
    sa.column("messages", sa.Integer),
    sa.column("accepted", sa.Integer),
    sa.column("rejected", sa.Integer),
)


def test_existing_names_are_encrypted_and_control_ids_name_the_ledger_row(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = Fernet.generate_key()
    monkeypatch.setenv("FINALMILE_SECRET_KEY", key.decode())
    config = alembic_config(database_url)
    command.downgrade(config, "0015")
    engine = create_engine(database_url)
    now = dt.datetime.now(dt.UTC)
    try:
        with engine.begin() as connection:
            connection.execute(
                _old_files.insert().values(
                    connector="default",
                    sha256=SHA,
                    name=NAME,
                    size_bytes=10,
                    received_at=now,
                    status="processed",
                    messages=1,
                    accepted=0,
                    rejected=1,
                )
            )
        with Session(engine) as session, session.begin():
            session.add(
                InboundMessage(
                    connector="default",
                    format=MessageFormat.CSV,
                    control_id=f"{NAME}:2",
                    dedupe_key=f"{SHA}:2",
                    received_at=now,
                    size_bytes=3,
                    sha256="cd" * 32,
                    raw_encrypted=b"x",
                    status=MessageStatus.REJECTED,
                )
            )
    finally:
        command.upgrade(config, "head")
    with Session(engine) as session:
        file = session.scalars(select(IngestedFile)).one()
        message = session.scalars(select(InboundMessage)).one()
    engine.dispose()
    assert NAME.encode() not in file.name_encrypted
    assert Vault([key]).decrypt(file.name_encrypted) == NAME.encode()
    assert message.control_id == f"file-{file.id}:2"
