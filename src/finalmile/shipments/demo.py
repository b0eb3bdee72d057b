"""One call for the demo: ship an order with a configured account and return what the demo shows."""

from __future__ import annotations

from dataclasses import dataclass

from finalmile.carriers.base import LabelFormat, ShipmentOptions, TrackingInfo
from finalmile.services import Services
from finalmile.shipments.models import Shipment


@dataclass(frozen=True)
class DemoShipment:
    """A bought shipment with its label file and the carrier's tracker."""

    shipment: Shipment
    label: bytes
    label_format: LabelFormat
    tracking: TrackingInfo


def ship_demo_order(
    services: Services,
    *,
    order_id: str,
    account: str,
    service: str | None = None,
    options: ShipmentOptions | None = None,
) -> DemoShipment:
    """Buy (or return the already bought) label for ``order_id``, with its file and tracker."""
    shipment = services.shipments.buy(
        order_id=order_id, account=account, service=service, options=options, actor="demo"
    )
    label, label_format = services.shipments.label(shipment)
    tracking = services.shipments.track(shipment)
    return DemoShipment(shipment, label, label_format, tracking)
