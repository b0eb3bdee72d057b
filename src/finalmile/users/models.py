"""Console users, their sessions, and the record of every view of a patient's details."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from finalmile.db_types import BigId, UtcDateTime


class ConsoleUser(SQLModel, table=True):
    """A person who signs in to the console; only a scrypt hash of the password is kept."""

    __tablename__ = "console_user"

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    name: str = Field(max_length=64, unique=True)
    roles: str = Field(max_length=200, description="space-separated Role values")
    password_hash: str = Field(max_length=200)
    failed_attempts: int = 0
    locked_until: dt.datetime | None = Field(default=None, sa_column=Column(UtcDateTime))
    disabled_at: dt.datetime | None = Field(default=None, sa_column=Column(UtcDateTime))
    created_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    last_sign_in_at: dt.datetime | None = Field(default=None, sa_column=Column(UtcDateTime))


class ConsoleSession(SQLModel, table=True):
    """A signed-in browser: the cookie carries the token, only its SHA-256 is stored."""

    __tablename__ = "console_session"
    __table_args__ = (Index("ix_console_session_user", "user_pk"),)

    token_sha256: str = Field(max_length=64, primary_key=True)
    user_pk: int = Field(sa_column=Column(BigId, nullable=False))
    csrf_token: str = Field(max_length=64)
    created_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    last_seen_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    ended_at: dt.datetime | None = Field(default=None, sa_column=Column(UtcDateTime))


class PatientView(SQLModel, table=True):
    """Someone saw a patient's details: who, when, which order, on which page (access audit)."""

    __tablename__ = "patient_view"
    __table_args__ = (Index("ix_patient_view_at", "at"), Index("ix_patient_view_order", "order_pk"))

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    user_name: str = Field(max_length=64)
    order_pk: int = Field(sa_column=Column(BigId, nullable=False))
    order_id: str = Field(max_length=100)
    page: str = Field(max_length=64)
