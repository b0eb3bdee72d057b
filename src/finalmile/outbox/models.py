"""Outbox tables: one row per external effect, and one row per delivery attempt.

Lifecycle of an ``OutboxEvent`` (``OutboxStatus``)::

    pending --every target delivered--> delivered
       |  \\--no target configured for its topic--> skipped
       +--budget spent (attempts or age), or a permanent refusal--> dead --replay--> pending

A worker delivers a row only while it holds its lease (``lease_owner``/``lease_until``). A row can
go to several write-back targets; ``done_targets`` remembers the ones that already accepted it,
so a retry never sends a delivered effect to the same target twice.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index
from sqlmodel import Field, SQLModel

from finalmile.db_types import BigId, UtcDateTime, ValueEnum


class OutboxStatus(StrEnum):
    """Where an outbox row stands (see the module docstring)."""

    PENDING = "pending"
    DELIVERED = "delivered"
    SKIPPED = "skipped"
    DEAD = "dead"


class AttemptOutcome(StrEnum):
    """What one delivery attempt to one target came to."""

    OK = "ok"
    RETRY = "retry"
    REFUSED = "refused"


class OutboxEvent(SQLModel, table=True):
    """An effect to deliver, written in the transaction of the state change that causes it."""

    __tablename__ = "outbox_event"
    __table_args__ = (
        Index("ix_outbox_event_due", "status", "next_attempt_at"),
        Index("ix_outbox_event_order", "connector", "order_id"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    key: str = Field(max_length=200, unique=True, description="Idempotency key of the effect")
    topic: str = Field(max_length=64)
    connector: str = Field(max_length=64)
    order_id: str = Field(max_length=100)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    status: OutboxStatus = Field(sa_column=Column(ValueEnum(OutboxStatus), nullable=False))
    attempts: int = 0
    done_targets: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    next_attempt_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    budget_started_at: dt.datetime = Field(
        sa_column=Column(UtcDateTime, nullable=False),
        description="The age budget counts from here (creation, or the last retry/replay)",
    )
    lease_owner: str | None = Field(default=None, max_length=32)
    lease_until: dt.datetime | None = Field(default=None, sa_column=Column(UtcDateTime))
    last_error: str | None = Field(default=None, max_length=300)
    created_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    updated_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    delivered_at: dt.datetime | None = Field(default=None, sa_column=Column(UtcDateTime))


class OutboxAttempt(SQLModel, table=True):
    """One try at delivering an outbox row to one target."""

    __tablename__ = "outbox_attempt"

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    event_pk: int = Field(
        sa_column=Column(
            BigId, ForeignKey("outbox_event.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    target: str = Field(max_length=64)
    outcome: AttemptOutcome = Field(sa_column=Column(ValueEnum(AttemptOutcome), nullable=False))
    detail: str | None = Field(default=None, max_length=300)
    started_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    duration_ms: int
