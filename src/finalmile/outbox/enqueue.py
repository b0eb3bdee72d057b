"""Writing an outbox row inside the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from finalmile.db_types import utcnow
from finalmile.outbox.models import OutboxEvent, OutboxStatus
from finalmile.outbox.payloads import Payload, validate_payload


def enqueue(
    session_or_connection: Session | Connection,
    *,
    topic: str,
    key: str,
    connector: str,
    payload: Payload | dict[str, Any],
) -> bool:
    """Add an effect to the outbox in the caller's transaction; False when ``key`` exists already.

    Nothing is committed here: the row becomes visible to the workers exactly when the caller's
    state change commits, and disappears with it on rollback.

    ``payload`` is the topic's model (``ShippedPayload``...: what the webhook events declare) or
    its JSON form, validated against it.

    Raises:
        ValueError: unknown topic or a payload that does not fit it.
    """
    known, body = validate_payload(topic, payload)
    now = utcnow()
    values = {
        "key": key,
        "topic": known.value,
        "connector": connector,
        "order_id": body["order_id"],
        "payload": body,
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "done_targets": [],
        "next_attempt_at": now,
        "budget_started_at": now,
        "created_at": now,
        "updated_at": now,
    }
    dialect = (
        session_or_connection.dialect
        if isinstance(session_or_connection, Connection)
        else session_or_connection.get_bind().dialect
    )
    module = postgresql if dialect.name == "postgresql" else sqlite
    # Core, not an ORM bulk insert: RETURNING says whether the row went in.
    table = OutboxEvent.__table__  # type: ignore[attr-defined]
    statement = (
        module.insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(table.c.id)
    )
    return session_or_connection.execute(statement).first() is not None
