"""Read the inbound message store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from finalmile.errors import NotFoundError
from finalmile.messages.models import InboundMessage, MessageFlag, MessageOrderLink, MessageStatus
from finalmile.orders import Order

_T = TypeVar("_T")


@dataclass(frozen=True)
class LinkedOrder:
    """An order a message touched, and how."""

    order_id: str
    connector: str
    action: str


def get_message(*, session: Session, message_id: int) -> InboundMessage:
    """The stored message ``message_id``; NotFoundError if there is none."""
    row = session.get(InboundMessage, message_id)
    if row is None:
        raise NotFoundError(f"no message with id {message_id}")
    return row


def linked_orders(*, session: Session, message_id: int) -> list[LinkedOrder]:
    """Orders the message created, updated or cancelled."""
    rows = session.execute(
        select(col(Order.order_id), col(Order.connector), col(MessageOrderLink.action))
        .join(MessageOrderLink, col(MessageOrderLink.order_pk) == col(Order.id))
        .where(col(MessageOrderLink.message_id) == message_id)
        .order_by(col(Order.id))
    )
    return [LinkedOrder(r.order_id, r.connector, r.action) for r in rows]


def message_ids_of_order(*, session: Session, order_pk: int) -> list[int]:
    """The messages that created, updated or cancelled order ``order_pk``, oldest first."""
    return list(
        session.scalars(
            select(col(MessageOrderLink.message_id))
            .where(col(MessageOrderLink.order_pk) == order_pk)
            .order_by(col(MessageOrderLink.message_id))
        )
    )


def list_messages(
    *,
    session: Session,
    status: MessageStatus | None = None,
    connector: str | None = None,
    flag: MessageFlag | None = None,
    limit: int = 50,
) -> list[InboundMessage]:
    """The newest stored messages, optionally only those with ``status``, from ``connector`` or
    flagged ``flag``."""
    statement = select(InboundMessage).order_by(col(InboundMessage.id).desc()).limit(limit)
    return list(session.scalars(_filtered(statement, status, connector, flag)))


def count_messages(
    *,
    session: Session,
    status: MessageStatus | None = None,
    connector: str | None = None,
    flag: MessageFlag | None = None,
) -> int:
    """How many stored messages match the filters of :func:`list_messages`."""
    statement = select(func.count()).select_from(InboundMessage)
    return int(session.scalar(_filtered(statement, status, connector, flag)) or 0)


def _filtered(
    statement: Select[_T],
    status: MessageStatus | None,
    connector: str | None,
    flag: MessageFlag | None,
) -> Select[_T]:
    if status is not None:
        statement = statement.where(col(InboundMessage.status) == status.value)
    if connector is not None:
        statement = statement.where(col(InboundMessage.connector) == connector)
    if flag is not None:
        statement = statement.where(col(InboundMessage.flag) == flag.value)
    return statement
