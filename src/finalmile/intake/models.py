"""Connector state kept between runs, written by intake with the messages it covers: poll
high-water marks and the ledger of ingested files."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from finalmile.db_types import BigId, UtcDateTime, ValueEnum


class ConnectorCursor(SQLModel, table=True):
    """A named position a connector has reached (e.g. a FHIR poll's ``_lastUpdated`` mark).

    It is written in the same transaction as the messages read up to it, so a restart neither
    skips nor re-reads.
    """

    __tablename__ = "connector_cursor"

    connector: str = Field(max_length=64, primary_key=True)
    name: str = Field(max_length=64, primary_key=True)
    value: str = Field(max_length=200)
    updated_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


class FileStatus(StrEnum):
    """Where a received file stands."""

    PROCESSING = "processing"
    PROCESSED = "processed"
    FAILED = "failed"


class IngestedFile(SQLModel, table=True):
    """One CSV file received by upload, command or drop folder; a file's content counts once.

    ``status`` is ``failed`` when the file could not be read to its end (``error`` says why);
    rows rejected one by one leave it ``processed`` with ``rejected`` > 0. The file's name may
    carry patient data (``smith_john_rx.csv``): it is stored encrypted with the vault.
    """

    __tablename__ = "ingested_file"
    __table_args__ = (UniqueConstraint("connector", "sha256", name="uq_ingested_file_content"),)

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    connector: str = Field(max_length=64)
    sha256: str = Field(max_length=64)
    name_encrypted: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    size_bytes: int
    received_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    finished_at: dt.datetime | None = Field(default=None, sa_column=Column(UtcDateTime))
    status: FileStatus = Field(sa_column=Column(ValueEnum(FileStatus), nullable=False))
    messages: int = 0
    accepted: int = 0
    rejected: int = 0
    error: str | None = Field(default=None, max_length=1000)
