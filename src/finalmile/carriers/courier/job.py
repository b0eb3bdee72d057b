"""The courier job: what a driver needs to deliver one order (pure)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from finalmile.canonical import Address, StorageClass
from finalmile.carriers.base import ShipmentDraft

COLD = (StorageClass.REFRIGERATED, StorageClass.FROZEN)


def tracking_number(prefix: str, reference: str) -> str:
    """finalmile's own tracking number for a courier shipment (stable for its key)."""
    return f"{prefix}{reference[:16].upper()}"


def job_payload(draft: ShipmentDraft, *, tracking_prefix: str, service: str) -> dict[str, Any]:
    """The job as JSON: pickup and drop-off stops, time window, storage, cooler, signature.

    The drop-off stop carries the patient's name, address and phone: the minimum a driver
    needs. It goes only to the configured courier, never into logs.
    """
    order = draft.order
    storage = order.storage
    return {
        "reference": draft.reference,
        "order_id": order.order_id,
        "tracking_number": tracking_number(tracking_prefix, draft.reference),
        "service": service,
        "stops": [
            {"kind": "pickup", "address": _address(draft.ship_from)},
            {
                "kind": "dropoff",
                "address": _address(order.ship_to),
                "contact_phone": order.patient.phone,
                "instructions": order.instructions,
            },
        ],
        "time_window": {"end": _iso(order.needed_by)},
        "storage": storage.value,
        "cooler_required": storage in COLD,
        "dry_ice_oz": _number(draft.options.dry_ice_weight_oz),
        "signature_required": order.requires_signature or draft.options.adult_signature,
        "adult_signature": draft.options.adult_signature,
    }


def _address(address: Address) -> dict[str, Any]:
    return address.model_dump(mode="json")


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None
