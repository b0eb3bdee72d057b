"""Pure building of the FHIR R4 resources an outbox effect becomes (``fhir.resources.R4B``).

- ``SupplyDelivery``: one per order, found again by its finalmile identifier (conditional update);
  a second identifier of type ``v2-0203#STN`` (HL7 Table 0203, "shipment tracking number") holds
  the tracking number. ``in-progress`` once shipped, ``completed`` once delivered.
- ``MedicationDispense`` (on delivery): the PMS's own resource with ``status: completed``,
  ``whenHandedOver`` and ``receiver``: the dispense's subject when the patient signed, else a
  display naming the relationship only (the designee's name stays in the proof of delivery).
"""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.medicationdispense import MedicationDispense
from fhir.resources.R4B.supplydelivery import SupplyDelivery

from finalmile.outbox import Effect, Topic

FINALMILE_SYSTEM = "https://finalmile.dev/fhir/sid/supply-delivery"
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
SUPPLY_ITEM_TYPE = "http://terminology.hl7.org/CodeSystem/supply-item-type"
TRACKING_SYSTEM = "https://finalmile.dev/fhir/sid/tracking-number"


def supply_delivery_identifier(effect: Effect) -> str:
    """The identifier value finalmile gives the order's SupplyDelivery."""
    return f"{effect.connector}-{effect.payload['order_pk']}"


def supply_delivery(effect: Effect, dispense: dict[str, Any] | None) -> dict[str, Any]:
    """The SupplyDelivery for an effect (``dispense``: the PMS's MedicationDispense, if found)."""
    payload = effect.payload
    delivered = effect.topic in (Topic.DELIVERED, Topic.DELIVERY_CONFIRMED)
    cancelled = effect.topic is Topic.CANCELLED
    identifiers: list[dict[str, Any]] = [
        {"system": FINALMILE_SYSTEM, "value": supply_delivery_identifier(effect)}
    ]
    if payload.get("tracking_number"):
        identifiers.append(
            {
                "type": {
                    "coding": [
                        {"system": V2_0203, "code": "STN", "display": "Shipment Tracking Number"}
                    ]
                },
                "system": TRACKING_SYSTEM,
                "value": payload["tracking_number"],
            }
        )
    body: dict[str, Any] = {
        "resourceType": "SupplyDelivery",
        "identifier": identifiers,
        "status": "abandoned" if cancelled else "completed" if delivered else "in-progress",
        "type": {"coding": [{"system": SUPPLY_ITEM_TYPE, "code": "medication"}]},
        "occurrenceDateTime": payload["cancelled_at"]
        if cancelled
        else payload["delivered_at"]
        if delivered
        else payload["shipped_at"],
    }
    if dispense is not None and dispense.get("subject"):
        body["patient"] = dispense["subject"]
    return SupplyDelivery.model_validate(body).model_dump(mode="json", exclude_none=True)


def completed_dispense(effect: Effect, dispense: dict[str, Any]) -> dict[str, Any]:
    """The PMS's MedicationDispense, handed over: completed, when, and to whom."""
    payload = effect.payload
    updated = dict(dispense)
    updated["status"] = "completed"
    updated["whenHandedOver"] = payload["delivered_at"]
    relationship = payload.get("recipient_relationship")
    if relationship in (None, "self") and dispense.get("subject"):
        updated["receiver"] = [dispense["subject"]]
    elif relationship:
        updated["receiver"] = [{"display": f"designee ({relationship})"}]
    return MedicationDispense.model_validate(updated).model_dump(mode="json", exclude_none=True)
