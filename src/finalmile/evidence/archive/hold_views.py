"""``/orders/{order_id}/legal-hold`` (place, release) and ``/legal-holds`` (list): admin only.

A hold keeps the order's evidence from ``finalmile archive purge``. Its reason and reference are
staff's free text, stored encrypted and returned only to admin keys.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, Field

from finalmile.auth import Principal, Role, Scope
from finalmile.deps import require_role
from finalmile.evidence.archive.holds import MAX_REASON, MAX_REFERENCE, HoldRecord
from finalmile.evidence.archive.views import ArchiveDep

router = APIRouter(tags=["legal holds"])
Admin = Annotated[Principal, Depends(require_role(Role.ADMIN, scope=Scope.ADMIN))]


class HoldIn(BaseModel):
    """Why the evidence is held (litigation, a DEA or board-of-pharmacy inquiry, a payer audit)."""

    reason: str = Field(min_length=1, max_length=MAX_REASON, description="Kept encrypted")
    reference: str | None = Field(
        default=None, max_length=MAX_REFERENCE, description="Case or inquiry number"
    )


class ReleaseIn(BaseModel):
    """Why the hold ends."""

    reason: str = Field(min_length=1, max_length=MAX_REASON, description="Kept encrypted")


class HoldOut(BaseModel):
    """A legal hold: active while ``released_at`` is null; a released hold stays as history."""

    hold_id: int
    order_id: str
    connector: str
    active: bool
    placed_at: dt.datetime
    placed_by: str
    reason: str
    reference: str | None
    released_at: dt.datetime | None
    released_by: str | None
    release_reason: str | None

    @classmethod
    def of(cls, record: HoldRecord) -> HoldOut:
        return cls(active=record.active, **vars(record))


@router.post(
    "/orders/{order_id}/legal-hold", response_model=HoldOut, status_code=status.HTTP_201_CREATED
)
def place_hold(
    order_id: str,
    body: HoldIn,
    archive: ArchiveDep,
    principal: Admin,
    connector: str | None = None,
) -> HoldOut:
    """Put the order's evidence on legal hold: purge keeps it until released (422
    ``already_held`` says since when and by whom; ``purged`` if nothing is left to hold)."""
    record = archive.place_hold(
        order_id=order_id,
        connector=connector,
        reason=body.reason,
        reference=body.reference,
        actor=f"key:{principal.key_prefix}",
    )
    return HoldOut.of(record)


@router.delete("/orders/{order_id}/legal-hold", response_model=HoldOut)
def release_hold(
    order_id: str,
    body: ReleaseIn,
    archive: ArchiveDep,
    principal: Admin,
    connector: str | None = None,
) -> HoldOut:
    """Release the order's legal hold (422 ``not_held`` if it has none); it stays as history."""
    record = archive.release_hold(
        order_id=order_id,
        connector=connector,
        reason=body.reason,
        actor=f"key:{principal.key_prefix}",
    )
    return HoldOut.of(record)


@router.get("/legal-holds", response_model=list[HoldOut])
def list_holds(
    archive: ArchiveDep,
    _principal: Admin,
    include_released: Annotated[bool, Query(alias="all", description="Released too")] = False,
) -> list[HoldOut]:
    """Active legal holds, oldest first; ``?all=true`` adds released ones."""
    records = archive.list_holds(include_released=include_released)
    return [HoldOut.of(r) for r in records]
