"""Archive tables: legal holds, which keep an order's evidence from being purged.

A hold is placed and later released; a released hold stays as history. The reason and reference
are free text typed by staff (they may name a patient or a case): stored encrypted by the vault,
never logged; plain columns hold ids, times and who acted.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, ForeignKey, Index, LargeBinary, text
from sqlmodel import Field, SQLModel

from finalmile.db_types import BigId, UtcDateTime

#: At most one active (unreleased) hold per order, whatever races the application loses.
ACTIVE_HOLD_INDEX = "uq_legal_hold_active_order"


class LegalHold(SQLModel, table=True):
    """A legal hold on one order's evidence: active while ``released_at`` is null."""

    __tablename__ = "legal_hold"
    __table_args__ = (
        Index("ix_legal_hold_order_pk", "order_pk"),
        Index(
            ACTIVE_HOLD_INDEX,
            "order_pk",
            unique=True,
            sqlite_where=text("released_at IS NULL"),
            postgresql_where=text("released_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    order_pk: int = Field(
        sa_column=Column(
            BigId, ForeignKey("dispatch_order.id", ondelete="RESTRICT"), nullable=False
        )
    )
    placed_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    placed_by: str = Field(max_length=100)
    reason_encrypted: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    reference_encrypted: bytes | None = Field(
        default=None, sa_column=Column(LargeBinary, nullable=True)
    )
    released_at: dt.datetime | None = Field(default=None, sa_column=Column(UtcDateTime))
    released_by: str | None = Field(default=None, max_length=100)
    release_reason_encrypted: bytes | None = Field(
        default=None, sa_column=Column(LargeBinary, nullable=True)
    )
