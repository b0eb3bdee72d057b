"""The archive listing: each order's retention and legal-hold state, newest order first, a page
at a time, optionally only held (or only not held) orders.

No patient data and no hold text: who placed the hold in force and when is all a hold shows
here (its reason and reference are for admin keys: ``GET /legal-holds``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session
from sqlmodel import col

from finalmile.evidence.archive.models import LegalHold
from finalmile.evidence.archive.packet import HoldEntry, Retention
from finalmile.evidence.archive.retention import first_deliveries, purges, retention_from
from finalmile.orders import Order
from finalmile.pagination import page_cursor, read_cursor

_CURSOR_KIND = "archive"


@dataclass(frozen=True)
class ArchiveEntry:
    """One order in the archive: its retention and the legal hold in force (if any)."""

    order_id: str
    connector: str
    status: str
    retention: Retention
    hold: HoldEntry | None


@dataclass(frozen=True)
class ArchivePage:
    """One page of the listing; ``next_cursor`` fetches the next (``None`` at the end)."""

    entries: list[ArchiveEntry]
    next_cursor: str | None


@dataclass(frozen=True)
class ArchiveFilter:
    """What to list: ``held`` True only orders on legal hold, False only the others, None all."""

    held: bool | None = None
    connector: str | None = None


def archive_page(
    session: Session,
    *,
    filters: ArchiveFilter,
    limit: int,
    cursor: str | None,
    years: int,
    zone: dt.tzinfo,
) -> ArchivePage:
    """Orders matching ``filters``, newest first, ``limit`` at a time (keyset pagination).

    Raises:
        InputError: ``cursor`` is not one this listing returned (``invalid_cursor``).
    """
    delivered, purged = first_deliveries(), purges()
    statement = (
        select(Order, delivered.c.delivered_at, purged.c.purged_at, LegalHold)
        .outerjoin(delivered, delivered.c.order_pk == Order.id)
        .outerjoin(purged, purged.c.order_key == cast(col(Order.id), String))
        .outerjoin(
            LegalHold,
            (col(LegalHold.order_pk) == Order.id) & col(LegalHold.released_at).is_(None),
        )
        .order_by(col(Order.id).desc())
        .limit(limit + 1)
    )
    if cursor is not None:
        statement = statement.where(col(Order.id) < read_cursor(_CURSOR_KIND, cursor))
    if filters.connector is not None:
        statement = statement.where(col(Order.connector) == filters.connector)
    if filters.held is not None:
        hold_id = col(LegalHold.id)
        statement = statement.where(hold_id.is_not(None) if filters.held else hold_id.is_(None))
    rows = list(session.execute(statement))
    more = len(rows) > limit
    entries = []
    last: int | None = None
    for order, delivered_at, purged_at, hold in rows[:limit]:
        retention = retention_from(order, delivered_at, years=years, zone=zone, purged=purged_at)
        entries.append(
            ArchiveEntry(
                order.order_id, order.connector, order.status.value, retention, _entry(hold)
            )
        )
        last = order.id
    return ArchivePage(
        entries, page_cursor(_CURSOR_KIND, last) if more and last is not None else None
    )


def _entry(hold: LegalHold | None) -> HoldEntry | None:
    if hold is None:
        return None
    assert hold.id is not None
    return HoldEntry(hold.id, hold.placed_at, hold.placed_by)
