"""The exceptions queue's table: one row per problem with one order, open until cleared."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Column, Index, text
from sqlmodel import Field, SQLModel

from finalmile.db_types import BigId, UtcDateTime, ValueEnum, restricted_fk


class ExceptionKind(StrEnum):
    """What needs a person."""

    HELD = "held"
    LATE = "late"
    STALLED = "stalled"
    FAILED_ATTEMPT = "failed_attempt"
    RETURNED = "returned"
    EXCURSION = "excursion"
    POD_INCOMPLETE = "pod_incomplete"
    WRITEBACK_DEAD = "writeback_dead"
    CANCELLED_AFTER_DISPATCH = "cancel_dispatched"


_OPEN_SQL = text("resolved_at IS NULL")


class OrderException(SQLModel, table=True):
    """A problem with one order: opened when found, resolved by an action or when it clears.

    At most one open row per order and kind (``uq_order_exception_open``).
    """

    __tablename__ = "order_exception"
    __table_args__ = (
        Index(
            "uq_order_exception_open",
            "order_pk",
            "kind",
            unique=True,
            sqlite_where=_OPEN_SQL,
            postgresql_where=_OPEN_SQL,
        ),
        Index("ix_order_exception_opened_at", "opened_at"),
        Index("ix_order_exception_resolved_at", "resolved_at"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    order_pk: int = Field(sa_column=restricted_fk("dispatch_order"))
    kind: ExceptionKind = Field(
        sa_column=Column(ValueEnum(ExceptionKind, length=32), nullable=False)
    )
    #: Plain words, no patient data.
    reason: str = Field(max_length=300)
    opened_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    resolved_at: dt.datetime | None = Field(default=None, sa_column=Column(UtcDateTime))
    resolved_by: str | None = Field(default=None, max_length=100)
    #: The action that cleared it (``reattempt``, ``reship``...) or ``cleared`` when the
    #: condition went away by itself.
    resolution: str | None = Field(default=None, max_length=32)
