"""Append-only audit trail of state changes. Details never hold patient data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, Index, select
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel, col

from finalmile.db_types import BigId, UtcDateTime, utcnow


class AuditEvent(SQLModel, table=True):
    """Something happened to an entity: who did it, when, and the status it moved between."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_entity", "entity", "entity_id"),)

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    entity: str = Field(max_length=32)
    entity_id: str = Field(max_length=64)
    action: str = Field(max_length=32)
    actor: str = Field(max_length=100)
    from_status: str | None = Field(default=None, max_length=32)
    to_status: str | None = Field(default=None, max_length=32)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


def audit_row(
    *,
    entity: str,
    entity_id: int | str,
    action: str,
    actor: str,
    from_status: str | None = None,
    to_status: str | None = None,
    detail: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> dict[str, Any]:
    """A row for ``AuditEvent``'s table, for bulk inserts."""
    return {
        "at": at or utcnow(),
        "entity": entity,
        "entity_id": str(entity_id),
        "action": action,
        "actor": actor,
        "from_status": from_status,
        "to_status": to_status,
        "detail": detail or {},
    }


def history(session: Session, *, entity: str, entity_id: int | str) -> list[AuditEvent]:
    """Every event recorded for one entity, oldest first."""
    statement = (
        select(AuditEvent)
        .where(col(AuditEvent.entity) == entity, col(AuditEvent.entity_id) == str(entity_id))
        .order_by(col(AuditEvent.id))
    )
    return list(session.scalars(statement))
