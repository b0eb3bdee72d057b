"""API key table and scopes."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from finalmile.db_types import BigId, UtcDateTime


class Scope(StrEnum):
    """What an API key may do. ``admin`` implies every other scope."""

    ORDERS_READ = "orders:read"
    ORDERS_WRITE = "orders:write"
    ADMIN = "admin"


class Role(StrEnum):
    """Who the key's holder is at the pharmacy; actions name the roles allowed (docs/roles).

    ``admin`` may do everything any role may.
    """

    DISPATCHER = "dispatcher"
    PHARMACIST = "pharmacist"
    BILLING = "billing"
    ADMIN = "admin"


class ApiKey(SQLModel, table=True):
    """An API key: only its SHA-256 is kept; ``prefix`` identifies it in lists and logs."""

    __tablename__ = "api_key"

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    prefix: str = Field(max_length=16, unique=True)
    secret_sha256: str = Field(max_length=64)
    name: str = Field(max_length=100)
    scopes: str = Field(max_length=200, description="space-separated Scope values")
    roles: str = Field(
        default="",
        max_length=200,
        sa_column_kwargs={"server_default": ""},
        description="space-separated Role values",
    )
    created_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    revoked_at: dt.datetime | None = Field(default=None, sa_column=Column(UtcDateTime))
