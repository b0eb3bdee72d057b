"""``/console/live``: changes pushed to open pages as server-sent events.

Every process writes each order transition to the audit trail in the transaction that makes it,
so the stream reads the trail (new rows after the last it sent, twice a second) and works the same
with one process or several. Each event names the order, its status and billing status; pages
update the rows they show. The stream ends when the session ends (checked without counting as
use, so an open page does not keep a session alive).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from finalmile.audit import AuditEvent
from finalmile.console.session import COOKIE, PolicyDep, UserDep
from finalmile.db_types import utcnow
from finalmile.deps import SessionsDep
from finalmile.orders import Order
from finalmile.users import SignInPolicy, current_user

router = APIRouter(include_in_schema=False)
POLL_SECONDS = 0.5
SESSION_CHECK_SECONDS = 30.0
HEARTBEAT_SECONDS = 15.0
_BATCH = 200


def latest_event_id(session: Session) -> int:
    """The newest audit row's id (0 when there is none)."""
    return int(session.scalar(select(func.max(col(AuditEvent.id)))) or 0)


def order_changes(session: Session, after: int) -> tuple[int, list[dict[str, Any]]]:
    """Orders changed by audit rows after ``after``: the last row id read, and one entry per
    order (its id, status, billing status and the last action), oldest change first."""
    rows = session.execute(
        select(
            col(AuditEvent.id),
            col(AuditEvent.action),
            col(Order.order_id),
            col(Order.status),
            col(Order.billing_status),
        )
        .join(Order, cast(col(Order.id), String) == col(AuditEvent.entity_id))
        .where(col(AuditEvent.id) > after, col(AuditEvent.entity) == "order")
        .order_by(col(AuditEvent.id))
        .limit(_BATCH)
    ).all()
    if not rows:
        return after, []
    changed: dict[str, dict[str, Any]] = {}
    for _, action, order_id, status, billing in rows:
        changed.pop(order_id, None)
        changed[order_id] = {
            "order_id": order_id,
            "status": status.value,
            "billing_status": billing.value,
            "action": action,
        }
    last = rows[-1][0]
    assert last is not None
    return last, list(changed.values())


@router.get("/console/live")
async def live(
    request: Request, user: UserDep, sessions: SessionsDep, policy: PolicyDep
) -> StreamingResponse:
    """Server-sent events: ``order`` when an order changes, a comment every 15 s otherwise."""
    token = request.cookies.get(COOKIE)
    start = await asyncio.to_thread(_read, sessions, latest_event_id)
    stream = _events(request, sessions, policy, token, start)
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream, media_type="text/event-stream", headers=headers)


async def _events(
    request: Request,
    sessions: sessionmaker[Session],
    policy: SignInPolicy,
    token: str | None,
    after: int,
) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    checked = quiet = loop.time()
    yield "retry: 2000\n\n"
    while not await request.is_disconnected():
        after, changes = await asyncio.to_thread(_read, sessions, order_changes, after)
        for change in changes:
            yield f"event: order\ndata: {json.dumps(change)}\n\n"
        now = loop.time()
        if changes:
            quiet = now
        elif now - quiet >= HEARTBEAT_SECONDS:
            quiet = now
            yield ": still here\n\n"
        if now - checked >= SESSION_CHECK_SECONDS:
            checked = now
            if not await asyncio.to_thread(_signed_in, sessions, policy, token):
                yield "event: signed_out\ndata: {}\n\n"
                return
        await asyncio.sleep(POLL_SECONDS)


def _read(sessions: sessionmaker[Session], query: Any, *args: Any) -> Any:
    with sessions() as session:
        return query(session, *args)


def _signed_in(sessions: sessionmaker[Session], policy: SignInPolicy, token: str | None) -> bool:
    with sessions() as session:
        found = current_user(session=session, token=token, policy=policy, now=utcnow(), touch=False)
        session.commit()
    return found is not None
