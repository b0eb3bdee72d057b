"""``/console/admin``: console users, API keys, each connector's traffic and write-back backlog,
and who viewed which patient's details (the access audit). Admins only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from finalmile.auth import Role, list_keys
from finalmile.console.session import UserDep, require_roles
from finalmile.console.templating import render
from finalmile.deps import SessionDep
from finalmile.messages import InboundMessage, MessageStatus
from finalmile.outbox import OutboxEvent, OutboxStatus
from finalmile.users import list_users, patient_views

router = APIRouter(include_in_schema=False)
ACCESS_LOG_ROWS = 200


@dataclass(frozen=True)
class ConnectorHealth:
    """One connector's traffic and its write-backs still owed."""

    connector: str
    last_message_at: Any
    messages: int
    rejected: int
    outbox_pending: int
    outbox_dead: int


def connector_health(session: Session) -> list[ConnectorHealth]:
    """Per connector: the last message, how many were received and rejected, and the outbox rows
    pending and dead-lettered."""
    received = session.execute(
        select(
            col(InboundMessage.connector),
            func.max(col(InboundMessage.received_at)),
            func.count(),
            func.count().filter(col(InboundMessage.status) == MessageStatus.REJECTED.value),
        ).group_by(col(InboundMessage.connector))
    ).all()
    owed = session.execute(
        select(col(OutboxEvent.connector), col(OutboxEvent.status), func.count())
        .where(col(OutboxEvent.status).in_([OutboxStatus.PENDING.value, OutboxStatus.DEAD.value]))
        .group_by(col(OutboxEvent.connector), col(OutboxEvent.status))
    ).all()
    backlog: dict[tuple[str, str], int] = {
        (connector, str(status)): count for connector, status, count in owed
    }
    names = sorted({row[0] for row in received} | {key[0] for key in backlog})
    last = {row[0]: row for row in received}
    return [
        ConnectorHealth(
            connector=name,
            last_message_at=last[name][1] if name in last else None,
            messages=last[name][2] if name in last else 0,
            rejected=last[name][3] if name in last else 0,
            outbox_pending=backlog.get((name, OutboxStatus.PENDING.value), 0),
            outbox_dead=backlog.get((name, OutboxStatus.DEAD.value), 0),
        )
        for name in names
    ]


@router.get("/console/admin", response_class=HTMLResponse)
def admin_page(*, request: Request, user: UserDep, session: SessionDep) -> HTMLResponse:
    """Users, keys, connectors and the patient-access record."""
    require_roles(user, Role.ADMIN)
    return render(
        request,
        "admin.html",
        user=user,
        nav="admin",
        users=list_users(session=session),
        keys=list_keys(session=session),
        connectors=connector_health(session),
        views=patient_views(session=session, limit=ACCESS_LOG_ROWS),
    )
