"""Each incoming order's storage classes, resolved once per batch in the batch's transaction
(the message, else the item master, else the connector's ``default_storage``, else unknown)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import Connection

from finalmile.canonical import DispatchOrder
from finalmile.intake.prepare import PreparedMessage
from finalmile.items import StorageResolver


def resolve_storage(
    connection: Connection, batch: Sequence[PreparedMessage], resolver: StorageResolver
) -> list[PreparedMessage]:
    """``batch`` with the orders of its intents resolved (messages without orders unchanged)."""
    orders: list[DispatchOrder] = [
        intent.order for message in batch for intent in message.intents if intent.order
    ]
    if not orders:
        return list(batch)
    resolved = iter(resolver.resolve(connection, orders))
    return [
        replace(
            message,
            intents=tuple(
                replace(intent, order=next(resolved)) if intent.order else intent
                for intent in message.intents
            ),
        )
        if message.intents
        else message
        for message in batch
    ]
