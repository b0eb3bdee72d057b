"""``GET /orders/{order_id}``: one order with its source messages, history and decision.

It composes orders, messages and rules, so it lives above all three.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from finalmile.audit import AuditEvent
from finalmile.auth import Scope
from finalmile.deps import SessionDep, provided, require
from finalmile.messages import message_ids_of_order
from finalmile.orders import find_order, order_record
from finalmile.rules import Decider, current_decision
from finalmile.vault import Vault

router = APIRouter(
    prefix="/orders", tags=["orders"], dependencies=[Depends(require(Scope.ORDERS_READ))]
)
VaultDep = Annotated[Vault, Depends(provided(Vault))]
DeciderDep = Annotated[Decider, Depends(provided(Decider))]


class HistoryEntry(BaseModel):
    """One recorded change of an order."""

    at: dt.datetime
    action: str
    actor: str
    from_status: str | None
    to_status: str | None
    detail: dict[str, Any]

    @classmethod
    def of(cls, event: AuditEvent) -> HistoryEntry:
        return cls.model_validate(event, from_attributes=True)


class OrderDetail(BaseModel):
    """The canonical order (contract JSON) under ``order``, with status, sources, history and
    the current delivery decision with its reasons (None until one is made)."""

    order: dict[str, Any]
    status: str
    status_at: dt.datetime | None
    billing_status: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    message_ids: list[int]
    history: list[HistoryEntry]
    decision: dict[str, Any] | None = None


@router.get("/{order_id}", response_model=OrderDetail)
def get_order(
    order_id: str,
    session: SessionDep,
    vault: VaultDep,
    decider: DeciderDep,
    connector: str | None = None,
) -> OrderDetail:
    """One order: the canonical contract JSON, status, source messages, history and decision."""
    row = find_order(session=session, order_id=order_id, connector=connector)
    record = order_record(session=session, row=row, vault=vault)
    assert row.id is not None
    decided = current_decision(session=session, order_pk=row.id)
    return OrderDetail(
        order=record.order.to_contract(),
        status=row.status,
        status_at=row.status_at,
        billing_status=row.billing_status,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        message_ids=message_ids_of_order(session=session, order_pk=row.id),
        history=[HistoryEntry.of(e) for e in record.history],
        decision=decider.read(decided) if decided is not None else None,
    )
