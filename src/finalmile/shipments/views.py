"""``/orders/{order_id}/shipments``: buy (or record), list, label file, tracking, void."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Response, status
from pydantic import BaseModel, Field

from finalmile.auth import Principal, Role, Scope
from finalmile.carriers import ShipmentOptions, TrackingReport
from finalmile.deps import acting_roles, content_disposition, provided, require, require_role
from finalmile.rules import Override
from finalmile.shipments.models import Shipment
from finalmile.shipments.service import ShipmentService

router = APIRouter(prefix="/orders/{order_id}/shipments", tags=["shipments"])
Reader = Annotated[Principal, Depends(require(Scope.ORDERS_READ))]
#: Buying and voiding labels: dispatchers and pharmacists (docs/lifecycle.md, "Roles").
Writer = Annotated[Principal, Depends(require_role(Role.DISPATCHER, Role.PHARMACIST))]
ShipmentsDep = Annotated[ShipmentService, Depends(provided(ShipmentService))]


class ShipmentIn(BaseModel):
    """Ship an order with a configured carrier account, or record a drop shipper's parcel."""

    carrier: str = Field(description="Configured carrier account name")
    service: str | None = Field(
        default=None, description="Service name or carrier:service; default the cheapest"
    )
    options: ShipmentOptions = Field(default_factory=ShipmentOptions)
    tracking_number: str | None = Field(
        default=None, description="Drop ship only: the drop shipper's tracking number"
    )
    shipped_with: str | None = Field(
        default=None, description="Drop ship only: the carrier the drop shipper used (e.g. UPS)"
    )
    override_reason: str | None = Field(
        default=None,
        min_length=1,
        max_length=500,
        description="Why to ship against the order's decision (an override: see docs/lifecycle.md,"
        " Overrides); no patient data",
    )


class ShipmentOut(BaseModel):
    """A shipment, without patient data."""

    key: str
    order_id: str
    carrier_account: str
    state: str
    carrier: str | None
    service: str | None
    tracking_number: str | None
    tracking_url: str | None
    label_format: str | None
    amount: Decimal | None
    currency: str | None
    attempts: int
    last_error: str | None
    refund_status: str | None
    created_at: dt.datetime
    purchased_at: dt.datetime | None
    voided_at: dt.datetime | None

    @classmethod
    def of(cls, row: Shipment) -> ShipmentOut:
        data = row.model_dump()
        return cls(**{**data, "carrier_account": row.account, "state": row.state.value})


class VoidIn(BaseModel):
    """Why the label is voided (kept in the audit trail; no patient data)."""

    reason: str = Field(min_length=1, max_length=200)


@router.post("", response_model=ShipmentOut, status_code=status.HTTP_201_CREATED)
def create_shipment(
    order_id: str,
    *,
    body: ShipmentIn,
    shipments: ShipmentsDep,
    principal: Writer,
    connector: str | None = None,
) -> ShipmentOut:
    """Buy the label (idempotent per order and carrier account), or record a drop shipment.

    A purchase against the order's decision is refused (409 ``contradicts_decision``) unless it
    gives ``override_reason``; one that breaks a hard constraint needs the pharmacist role (403).
    """
    actor = principal.actor
    override = Override(by=actor, roles=acting_roles(principal), reason=body.override_reason)
    if body.tracking_number is not None:
        row = shipments.record_external(
            order_id=order_id,
            account=body.carrier,
            carrier=body.shipped_with or "",
            tracking_number=body.tracking_number,
            connector=connector,
            actor=actor,
            override=override,
        )
    else:
        row = shipments.buy(
            order_id=order_id,
            account=body.carrier,
            service=body.service,
            options=body.options,
            connector=connector,
            actor=actor,
            override=override,
        )
    return ShipmentOut.of(row)


@router.get("", response_model=list[ShipmentOut])
def list_shipments(
    order_id: str, shipments: ShipmentsDep, _principal: Reader, connector: str | None = None
) -> list[ShipmentOut]:
    """Every shipment of the order, oldest first (failed and voided ones included)."""
    rows = shipments.for_order(order_id=order_id, connector=connector)
    return [ShipmentOut.of(row) for row in rows]


@router.get("/{key}/label", response_class=Response)
def get_label(
    order_id: str,
    key: str,
    shipments: ShipmentsDep,
    _principal: Reader,
    connector: str | None = None,
) -> Response:
    """The label file (PDF, ZPL or PNG)."""
    shipment = shipments.find(order_id=order_id, key=key, connector=connector)
    content, label_format = shipments.label(shipment)
    filename = f"{order_id}-{key}{label_format.suffix}"
    return Response(
        content,
        media_type=label_format.media_type,
        headers={"Content-Disposition": content_disposition(filename)},
    )


@router.get("/{key}/tracking", response_model=TrackingReport)
def get_tracking(
    order_id: str,
    key: str,
    shipments: ShipmentsDep,
    _principal: Reader,
    connector: str | None = None,
) -> TrackingReport:
    """The parcel's latest status and events, asked of the carrier now."""
    shipment = shipments.find(order_id=order_id, key=key, connector=connector)
    return shipments.track(shipment)


@router.post("/{key}/void", response_model=ShipmentOut)
def void_shipment(
    order_id: str,
    key: str,
    *,
    body: VoidIn,
    shipments: ShipmentsDep,
    principal: Writer,
    connector: str | None = None,
) -> ShipmentOut:
    """Void the label and ask the carrier for a refund (audited); the order may then ship anew."""
    shipment = shipments.find(order_id=order_id, key=key, connector=connector)
    row = shipments.void(shipment=shipment, actor=f"key:{principal.key_prefix}", reason=body.reason)
    return ShipmentOut.of(row)
