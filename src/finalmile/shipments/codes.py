"""Stable error codes of shipments and dispatch."""

from __future__ import annotations

from enum import StrEnum


class ShipmentCode(StrEnum):
    """``code`` values of the errors this package raises, serialised as their string value."""

    UNKNOWN_CARRIER = "unknown_carrier"
    LIVE_SHIPMENT_EXISTS = "live_shipment_exists"
    NOT_VOIDABLE = "not_voidable"
    NOT_DISPATCHABLE = "not_dispatchable"
    CANCELLED = "cancelled"
