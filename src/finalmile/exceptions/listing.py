"""One exception as the API and the command line show it, with the actions allowed."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from pydantic import BaseModel

from finalmile.exceptions.catalog import ACTIONS, REMEDIES
from finalmile.exceptions.models import ExceptionKind, OrderException
from finalmile.orders import Order


class ActionOut(BaseModel):
    """An action allowed for the exception: its name, HTTP route and the roles that may take it
    (admin may take every action)."""

    name: str
    method: str
    path: str
    roles: list[str]


class ExceptionOut(BaseModel):
    """One problem with one order."""

    id: int
    kind: ExceptionKind
    order_id: str
    connector: str
    site: str | None
    since: dt.datetime
    reason: str
    resolved_at: dt.datetime | None
    resolved_by: str | None
    resolution: str | None
    actions: list[ActionOut]


def exception_out(row: OrderException, order: Order, site: str | None) -> ExceptionOut:
    """The row with its order and the actions allowed (none once resolved)."""
    assert row.id is not None
    path_id = quote(order.order_id, safe="")
    actions = [
        ActionOut(
            name=action.value,
            method=ACTIONS[action].method,
            path=ACTIONS[action].path.format(order_id=path_id),
            roles=[role.value for role in ACTIONS[action].roles],
        )
        for action in REMEDIES[row.kind]
        if row.resolved_at is None
    ]
    return ExceptionOut(
        id=row.id,
        kind=row.kind,
        order_id=order.order_id,
        connector=order.connector,
        site=site,
        since=row.opened_at,
        reason=row.reason,
        resolved_at=row.resolved_at,
        resolved_by=row.resolved_by,
        resolution=row.resolution,
        actions=actions,
    )
