"""``/messages/{id}``: what was received and what became of it."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from finalmile.auth import Principal, Scope
from finalmile.deps import RowId, SessionDep, provided, require
from finalmile.errors import AuthError
from finalmile.messages.service import get_message, linked_orders
from finalmile.vault import Vault

router = APIRouter(prefix="/messages", tags=["messages"])
VaultDep = Annotated[Vault, Depends(provided(Vault))]


class MessageOrder(BaseModel):
    """An order the message touched."""

    order_id: str
    connector: str
    action: str


class MessageDetail(BaseModel):
    """A stored inbound message; ``raw`` only for admin keys that ask for it."""

    id: int
    connector: str
    format: str
    control_id: str | None
    message_type: str | None
    version: str | None
    received_at: dt.datetime
    processed_at: dt.datetime | None
    size_bytes: int
    sha256: str
    status: str
    error_code: str | None
    error_location: str | None
    error_message: str | None
    duplicate_of: int | None
    flag: str | None = None
    orders: list[MessageOrder]
    raw: str | None = None


@router.get("/{message_id}", response_model=MessageDetail, response_model_exclude_none=False)
def get_message_detail(
    message_id: RowId,
    session: SessionDep,
    vault: VaultDep,
    principal: Principal = Depends(require(Scope.ORDERS_READ)),  # noqa: B008
    include_raw: bool = False,
) -> MessageDetail:
    """Metadata, outcome and linked orders of one message; ``include_raw`` needs the admin scope."""
    row = get_message(session=session, message_id=message_id)
    raw = None
    if include_raw:
        if not principal.allows(Scope.ADMIN):
            raise AuthError(
                "include_raw needs the admin scope: raw messages hold patient data", status_code=403
            )
        raw = vault.decrypt(row.raw_encrypted).decode("latin-1")
    orders = [
        MessageOrder(**vars(o)) for o in linked_orders(session=session, message_id=message_id)
    ]
    data = row.model_dump(exclude={"raw_encrypted", "dedupe_key", "content_key"})
    return MessageDetail(**data, orders=orders, raw=raw)
