"""``POST /orders/{order_id}/reattempt``, ``/reship`` and ``/excursion/disposition``: each
audited in the order's history with the key, its role and the reason."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from finalmile.auth import Principal
from finalmile.deps import provided, require_role
from finalmile.evidence import Disposition
from finalmile.exceptions.acting import key_actor
from finalmile.exceptions.catalog import ACTIONS, Action
from finalmile.exceptions.redelivery import Redelivery

router = APIRouter(prefix="/orders/{order_id}", tags=["order actions"])
RedeliveryDep = Annotated[Redelivery, Depends(provided(Redelivery))]
Reason = Field(min_length=1, max_length=200, description="Why, in plain words (no patient data)")


class ReattemptIn(BaseModel):
    """Put a failed courier stop back on a route."""

    reason: str = Reason
    date: dt.date | None = Field(
        default=None, description="The delivery day; default the site's next courier day"
    )


class ReattemptOut(BaseModel):
    """The order's status and the day its stop is routed again."""

    order_id: str
    status: str
    delivery_date: dt.date


class ReshipIn(BaseModel):
    """Send the order again; account and service default to the current decision's."""

    reason: str = Reason
    account: str | None = Field(default=None, description="Configured carrier account name")
    service: str | None = Field(default=None, description="Service name or carrier:service")


class ReshipOut(BaseModel):
    """The new shipment."""

    order_id: str
    shipment: str
    carrier_account: str
    state: str
    tracking_number: str | None


class DispositionIn(BaseModel):
    """The pharmacist's disposition of a temperature excursion."""

    disposition: Disposition
    note: str = Field(
        min_length=1, max_length=2000, description="The pharmacist's note (stored encrypted)"
    )
    reason: str | None = Field(
        default=None, max_length=200, description="Why, in plain words (no patient data)"
    )


class DispositionOut(BaseModel):
    """What was decided, the order's status, and the reship it started (if any)."""

    order_id: str
    disposition: str
    status: str
    reship: str | None


@router.post("/reattempt", response_model=ReattemptOut)
def reattempt(
    order_id: str,
    *,
    body: ReattemptIn,
    redelivery: RedeliveryDep,
    principal: Annotated[Principal, Depends(require_role(*ACTIONS[Action.REATTEMPT].roles))],
    connector: str | None = None,
) -> ReattemptOut:
    """Put a failed in-house courier delivery back on a route (409 for a carrier's parcel)."""
    done = redelivery.reattempt(
        order_id=order_id,
        by=key_actor(principal, Action.REATTEMPT, body.reason),
        date=body.date,
        connector=connector,
    )
    return ReattemptOut(
        order_id=done.order_id, status=done.status.value, delivery_date=done.delivery_date
    )


@router.post("/reship", response_model=ReshipOut)
def reship(
    order_id: str,
    *,
    body: ReshipIn,
    redelivery: RedeliveryDep,
    principal: Annotated[Principal, Depends(require_role(*ACTIONS[Action.RESHIP].roles))],
    connector: str | None = None,
) -> ReshipOut:
    """Void the old label when it can be (else keep it as history) and buy again."""
    row = redelivery.reship(
        order_id=order_id,
        by=key_actor(principal, Action.RESHIP, body.reason),
        account=body.account,
        service=body.service,
        connector=connector,
    )
    return ReshipOut(
        order_id=row.order_id,
        shipment=row.key,
        carrier_account=row.account,
        state=row.state.value,
        tracking_number=row.tracking_number,
    )


@router.post("/excursion/disposition", response_model=DispositionOut)
def disposition(
    order_id: str,
    *,
    body: DispositionIn,
    redelivery: RedeliveryDep,
    principal: Annotated[Principal, Depends(require_role(*ACTIONS[Action.DISPOSITION].roles))],
    connector: str | None = None,
) -> DispositionOut:
    """Release, quarantine, or destroy and reship an order whose temperature log failed."""
    reason = body.reason or f"excursion disposition: {body.disposition.value}"
    done = redelivery.dispose(
        order_id=order_id,
        disposition=body.disposition,
        note=body.note,
        by=key_actor(principal, Action.DISPOSITION, reason),
        connector=connector,
    )
    return DispositionOut(
        order_id=done.order_id,
        disposition=done.disposition.value,
        status=done.status.value,
        reship=done.reship.key if done.reship else None,
    )
