"""``GET /archive``: the archive listing, one entry per order (retention and legal-hold state,
no patient data), filterable to orders on legal hold."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from finalmile.auth import Scope
from finalmile.deps import require
from finalmile.evidence.archive.listing import ArchiveEntry, ArchiveFilter
from finalmile.evidence.archive.views import ArchiveDep, HoldState, RetentionIndex

router = APIRouter(tags=["archive"], dependencies=[Depends(require(Scope.ORDERS_READ))])


class ArchiveListEntry(BaseModel):
    """An order in the archive: its retention, its legal hold, and where its evidence is."""

    order_id: str
    connector: str
    status: str
    retention: RetentionIndex
    legal_hold: HoldState
    documents: dict[str, str]

    @classmethod
    def of(cls, entry: ArchiveEntry) -> ArchiveListEntry:
        base = f"/orders/{entry.order_id}"
        return cls(
            order_id=entry.order_id,
            connector=entry.connector,
            status=entry.status,
            retention=RetentionIndex(**vars(entry.retention)),
            legal_hold=HoldState.of(entry.hold),
            documents={"index": f"{base}/archive", "packet_pdf": f"{base}/archive.pdf"},
        )


class ArchiveList(BaseModel):
    """One page of the archive; pass ``next_cursor`` back as ``cursor`` for the next page."""

    items: list[ArchiveListEntry]
    next_cursor: str | None


@router.get("/archive", response_model=ArchiveList)
def list_archive(
    archive: ArchiveDep,
    legal_hold: Annotated[
        bool | None,
        Query(description="true: only orders on legal hold; false: only those not on hold"),
    ] = None,
    connector: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> ArchiveList:
    """Orders in the archive, newest first: retention, and the legal hold in force (since when,
    by whom); ``?legal_hold=true`` lists the held ones."""
    page = archive.listing(
        filters=ArchiveFilter(held=legal_hold, connector=connector), limit=limit, cursor=cursor
    )
    return ArchiveList(
        items=[ArchiveListEntry.of(e) for e in page.entries], next_cursor=page.next_cursor
    )
