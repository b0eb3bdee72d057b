"""Orders waiting for a storage class, looked at again once the item master knows their products.

An order whose storage could not be resolved at intake is stored with storage unknown and held.
When ``finalmile items import`` adds its NDC, ``release_held`` resolves the order's items again
(the same resolution intake applies), writes the classes and where they came from, keeps the
content digest in step (a re-send of the same message is still a duplicate), makes a new order
version (the hold was a decision of the old one, so the scheduled decision job would decide it even
if nobody else did) and audits ``storage_resolved``; the caller then decides each released order
through the normal path.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from finalmile.audit import AuditEvent, audit_row
from finalmile.db_types import utcnow
from finalmile.items.service import StorageResolver
from finalmile.ndc import format_ndc, normalize_ndc
from finalmile.orders import (
    UNDISPATCHED,
    Order,
    OrderItem,
    OrderStatus,
    content_digest,
    load_order,
    move,
)
from finalmile.vault import Vault


@dataclass(frozen=True, slots=True)
class ReleasedOrder:
    """An order whose every item now has a storage class."""

    order_id: str
    connector: str


def release_held(
    sessions: sessionmaker[Session],
    vault: Vault,
    resolver: StorageResolver,
    ndcs: Collection[str],
    *,
    actor: str,
) -> list[ReleasedOrder]:
    """Resolve again the open orders with an item of unknown storage among ``ndcs`` (11-digit
    NDCs); returns those whose storage is now known, in one transaction."""
    keys = set(ndcs)
    released: list[ReleasedOrder] = []
    with sessions.begin() as session:
        waiting = session.scalars(
            select(Order)
            .where(
                col(Order.storage).is_(None),
                col(Order.status).in_([status.value for status in UNDISPATCHED]),
            )
            .order_by(col(Order.id))
        )
        for row in waiting:
            assert row.id is not None
            lines = list(
                session.scalars(select(OrderItem).where(col(OrderItem.order_pk) == row.id))
            )
            unknown = {key for line in lines if line.storage is None and (key := _key(line))}
            if not unknown & keys:
                continue
            order = load_order(row, lines, vault=vault)
            [resolved] = resolver.resolve(session.connection(), [order])
            if not resolved.storage_known:
                continue  # another item is still unknown: the order keeps waiting
            by_line = {line.line: line for line in lines}
            for number, item in enumerate(resolved.items, start=1):
                by_line[number].storage = item.storage
                by_line[number].storage_source = item.storage_source
            row.storage = resolved.storage
            row.content_sha256 = content_digest(resolved)
            row.version += 1  # a new version: its hold no longer stands, the decision job sees it
            row.updated_at = utcnow()
            session.add(
                AuditEvent(
                    **audit_row(
                        entity="order",
                        entity_id=row.id,
                        action="storage_resolved",
                        actor=actor,
                        detail={
                            "ndcs": sorted(format_ndc(key) for key in unknown),
                            "storage": resolved.storage.value,
                        },
                    )
                )
            )
            move(
                session,
                row,
                OrderStatus.RECEIVED,
                actor=actor,
                reason="storage now known from the item master: to be decided again",
            )
            released.append(ReleasedOrder(row.order_id, row.connector))
    return released


def _key(line: OrderItem) -> str | None:
    """The stored line's NDC in item master form (None when it has none or it is unreadable)."""
    if line.ndc is None:
        return None
    try:
        return normalize_ndc(line.ndc)
    except ValueError:
        return None
