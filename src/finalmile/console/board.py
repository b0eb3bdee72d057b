"""``/console/board``: the day's orders of every delivery type, filterable and live."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session
from sqlmodel import col

from finalmile.config import Settings
from finalmile.console.session import UserDep
from finalmile.console.templating import render
from finalmile.deps import SessionDep, provided
from finalmile.orders import FINISHED, Order, OrderStatus
from finalmile.rules import DecisionRecord
from finalmile.shipments import Shipment
from finalmile.worklist import with_journey

router = APIRouter(include_in_schema=False)
SettingsDep = Annotated[Settings, Depends(provided(Settings))]
_LIMIT = 2000


@dataclass(frozen=True)
class BoardRow:
    """One order on the board (no patient data)."""

    order_id: str
    status: str
    billing_status: str
    delivery_type: str | None
    site: str | None
    account: str | None
    carrier: str | None
    service: str | None
    storage: str | None
    needed_by: dt.datetime | None
    late: bool


def board_rows(
    session: Session, *, day: dt.date, zone: ZoneInfo, now: dt.datetime
) -> list[BoardRow]:
    """The day's work: orders needed or received on ``day`` (in ``zone``), and every order
    received before it that is not finished (delivered, returned or cancelled)."""
    start = dt.datetime.combine(day, dt.time(), zone).astimezone(dt.UTC)
    end = start + dt.timedelta(days=1)
    unfinished = col(Order.status).notin_([s.value for s in FINISHED])
    statement = (
        with_journey(select(Order, DecisionRecord, Shipment))
        .where(
            or_(
                and_(col(Order.needed_by) >= start, col(Order.needed_by) < end),
                and_(col(Order.created_at) >= start, col(Order.created_at) < end),
                and_(unfinished, col(Order.created_at) < end),
            )
        )
        .order_by(col(Order.needed_by).nulls_last(), col(Order.id))
        .limit(_LIMIT)
    )
    rows = []
    for order, decision, shipment in session.execute(statement):
        late = (
            order.needed_by is not None and order.needed_by < now and order.status not in FINISHED
        )
        rows.append(
            BoardRow(
                order_id=order.order_id,
                status=order.status.value,
                billing_status=order.billing_status.value,
                delivery_type=decision.delivery_type.value if decision else None,
                site=decision.site if decision else None,
                account=shipment.account if shipment else None,
                carrier=(shipment.carrier if shipment else None)
                or (decision.carrier if decision else None),
                service=(shipment.service if shipment else None)
                or (decision.service if decision else None),
                storage=order.storage.value if order.storage else None,
                needed_by=order.needed_by,
                late=late,
            )
        )
    return rows


@router.get("/console/board", response_class=HTMLResponse)
def board(
    *,
    request: Request,
    user: UserDep,
    session: SessionDep,
    settings: SettingsDep,
    day: dt.date | None = None,
    status: Annotated[list[str] | None, Query()] = None,
    delivery_type: str | None = None,
    site: str | None = None,
    carrier: str | None = None,
    q: str | None = None,
    late: bool = False,
) -> HTMLResponse:
    """Today's board (or ``day``'s), with filters; rows update live."""
    zone = ZoneInfo(settings.timezone)
    now = dt.datetime.now(dt.UTC)
    day = day or now.astimezone(zone).date()
    every = board_rows(session, day=day, zone=zone, now=now)
    known = {s.value for s in OrderStatus}
    wanted = {name for name in status or () if name in known}
    rows = [
        row
        for row in every
        if (not wanted or row.status in wanted)
        and (not delivery_type or row.delivery_type == delivery_type)
        and (not site or row.site == site)
        and (not carrier or carrier in (row.account, row.carrier))
        and (not q or q.lower() in row.order_id.lower())
        and (not late or row.late)
    ]
    return render(
        request,
        "board.html",
        user=user,
        nav="board",
        day=day,
        rows=rows,
        counts=Counter(row.status for row in every),
        late_count=sum(row.late for row in every),
        statuses=[s.value for s in OrderStatus],
        sites=sorted({row.site for row in every if row.site}),
        carriers=sorted({c for row in every for c in (row.account,) if c}),
        types=["carrier", "courier", "drop_ship", "hold"],
        chosen={
            "status": wanted,
            "delivery_type": delivery_type,
            "site": site,
            "carrier": carrier,
            "q": q or "",
            "late": late,
        },
    )
