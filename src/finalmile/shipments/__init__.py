"""Shipments: one live shipment per order, labels bought at most once, voids audited."""

from finalmile.shipments.codes import ShipmentCode
from finalmile.shipments.dispatch import Dispatched, Dispatcher
from finalmile.shipments.models import LIVE_STATES, Shipment, ShipmentState, is_live
from finalmile.shipments.overrides import OverrideGuard
from finalmile.shipments.recovery import recover
from finalmile.shipments.service import BuyRequest, ShipmentService

__all__ = [
    "LIVE_STATES",
    "BuyRequest",
    "Dispatched",
    "Dispatcher",
    "OverrideGuard",
    "Shipment",
    "ShipmentCode",
    "ShipmentService",
    "ShipmentState",
    "is_live",
    "recover",
]
