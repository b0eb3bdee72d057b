"""``GET /exceptions``: what needs a person, brought up to date before it is listed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from finalmile.auth import Scope
from finalmile.deps import SessionsDep, provided, require
from finalmile.exceptions.listing import ExceptionOut, exception_out
from finalmile.exceptions.models import ExceptionKind
from finalmile.exceptions.queue import ExceptionQueue, QueueFilter
from finalmile.pagination import page_cursor, read_cursor

router = APIRouter(tags=["exceptions"])
QueueDep = Annotated[ExceptionQueue, Depends(provided(ExceptionQueue))]


class ExceptionList(BaseModel):
    """One page, newest first; pass ``next_cursor`` back as ``cursor`` for the next page."""

    items: list[ExceptionOut]
    next_cursor: str | None


@router.get(
    "/exceptions",
    response_model=ExceptionList,
    dependencies=[Depends(require(Scope.ORDERS_READ))],
)
def get_exceptions(
    *,
    sessions: SessionsDep,
    queue: QueueDep,
    kind: Annotated[list[ExceptionKind] | None, Query(description="any of these kinds")] = None,
    site: str | None = None,
    resolved: Annotated[bool, Query(description="resolved rows instead of open ones")] = False,
    order_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> ExceptionList:
    """Open exceptions (or resolved ones), newest first, each with its reason and the actions
    allowed; the queue is brought up to date first."""
    before = None if cursor is None else read_cursor("exceptions", cursor)
    queue.refresh()
    which = QueueFilter(kinds=kind or (), site=site, resolved=resolved, order_id=order_id)
    with sessions() as session:
        rows = queue.page(session, which, limit=limit + 1, before=before)
        page = rows[:limit]
        items = [exception_out(row, order, queue.site_of(order.connector)) for row, order in page]
    last = page[-1][0].id if len(rows) > limit and page else None
    return ExceptionList(
        items=items, next_cursor=None if last is None else page_cursor("exceptions", last)
    )
