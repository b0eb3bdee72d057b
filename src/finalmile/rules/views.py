"""``POST /orders/{order_id}/decide`` and ``GET /decisions`` (holds are the exceptions list)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from finalmile.auth import Principal, Role, Scope
from finalmile.deps import SessionDep, provided, require, require_role
from finalmile.orders import Order
from finalmile.pagination import page_cursor, read_cursor
from finalmile.rules.facts import DeliveryType
from finalmile.rules.models import DecisionRecord
from finalmile.rules.service import Decider, list_current

router = APIRouter(tags=["decisions"])
DeciderDep = Annotated[Decider, Depends(provided(Decider))]
#: Who may ask for a new decision (admin may too).
DECIDE_ROLES = (Role.DISPATCHER, Role.PHARMACIST)


class DecisionSummary(BaseModel):
    """An order's current decision: how it travels, or that it is held, and why."""

    decision_id: int
    order_id: str
    connector: str
    order_version: int
    site: str
    rule_set_version: int | None
    delivery_type: DeliveryType
    carrier: str | None
    service: str | None
    estimated_delivery: dt.datetime | None
    cost: Decimal | None
    reasons: list[str]
    decided_at: dt.datetime


class DecisionList(BaseModel):
    """One page of decisions; pass ``next_cursor`` back as ``cursor`` for the next page."""

    items: list[DecisionSummary]
    next_cursor: str | None


class DecideIn(BaseModel):
    """Why a person asks for a new decision (after fixing what held the order, say)."""

    reason: str = Field(min_length=1, max_length=300, description="Plain words, no patient data")


@router.post("/orders/{order_id}/decide")
def decide_order(
    order_id: str,
    decider: DeciderDep,
    principal: Annotated[Principal, Depends(require_role(*DECIDE_ROLES))],
    body: DecideIn | None = None,
    connector: str | None = None,
) -> dict[str, Any]:
    """Decide now how the order travels, store the decision and return it with its reasons
    (roles: dispatcher, pharmacist; a received, held or ready order only)."""
    why = {"role": _role(principal), **({"reason": body.reason} if body else {})}
    stored = decider.decide_order(
        order_id=order_id, connector=connector, actor=principal.actor, why=why
    )
    return {**stored.decision, "decision_id": stored.row.id}


def _role(principal: Principal) -> str:
    """The role the caller acts in for a decision (admin when that is what lets it)."""
    held = [r for r in DECIDE_ROLES if r in principal.roles]
    return held[0].value if held else Role.ADMIN.value


@router.get(
    "/decisions",
    response_model=DecisionList,
    dependencies=[Depends(require(Scope.ORDERS_READ))],
)
def get_decisions(
    *,
    session: SessionDep,
    decider: DeciderDep,
    delivery_type: DeliveryType | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> DecisionList:
    """Each open order's current decision, newest first; ``delivery_type=hold`` lists the
    orders waiting for a person."""
    before = None if cursor is None else read_cursor("decisions", cursor)
    rows = list_current(
        session=session, delivery_type=delivery_type, limit=limit + 1, before=before
    )
    page = rows[:limit]
    items = [_summary(record, order, decider.read(record)) for record, order in page]
    last = page[-1][0].id if len(rows) > limit and page else None
    return DecisionList(
        items=items, next_cursor=None if last is None else page_cursor("decisions", last)
    )


def _summary(record: DecisionRecord, order: Order, full: dict[str, Any]) -> DecisionSummary:
    assert record.id is not None
    return DecisionSummary(
        decision_id=record.id,
        order_id=order.order_id,
        connector=order.connector,
        order_version=record.order_version,
        site=record.site,
        rule_set_version=record.rule_set_version,
        delivery_type=record.delivery_type,
        carrier=record.carrier,
        service=record.service,
        estimated_delivery=record.estimated_delivery,
        cost=record.cost,
        reasons=list(full.get("reasons", [])),
        decided_at=record.created_at,
    )
