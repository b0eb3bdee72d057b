"""Records in Shippo's JSON shapes (Shippo API reference; the strict models of shippo 3.9).

The SDK parses responses into dataclasses with closed enums: every enum value sent here must be one
of the SDK's (``TransactionStatusEnum``, ``TrackingStatusEnum``, ``LabelFileTypeEnum``...).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from finalmile_sandbox import catalogue
from finalmile_sandbox.catalogue import Carrier
from finalmile_sandbox.labels import label_url
from finalmile_sandbox.records import (
    AddressRecord,
    LabelFormat,
    ParcelRecord,
    RateRecord,
    RefundRecord,
    ShipmentRecord,
    TrackerRecord,
    TrackingEventRecord,
    TransactionRecord,
)
from finalmile_sandbox.store import SandboxStore

JsonObject = dict[str, Any]
OWNER = "sandbox@finalmile.invalid"
#: One fixed carrier account per carrier, as Shippo's test accounts have.
CARRIER_ACCOUNTS = {
    Carrier.USPS: "0000000000000000000000000000usps",
    Carrier.UPS: "00000000000000000000000000000ups",
    Carrier.FEDEX: "000000000000000000000000000fedex",
}
#: Shippo's label file types per sandbox format.
LABEL_FILE_TYPES = {LabelFormat.PDF: "PDF_4x6", LabelFormat.PNG: "PNG", LabelFormat.ZPL: "ZPLII"}
#: EasyPost-style tracker statuses -> Shippo's TrackingStatusEnum.
TRACKING_STATUS = {
    "unknown": "UNKNOWN",
    "pre_transit": "PRE_TRANSIT",
    "in_transit": "TRANSIT",
    "out_for_delivery": "TRANSIT",
    "delivered": "DELIVERED",
    "return_to_sender": "RETURNED",
    "failure": "FAILURE",
}
#: Scan details -> Shippo substatus codes.
SUBSTATUS = {
    "label_created": "information_received",
    "arrived_at_facility": "package_accepted",
    "departed_facility": "package_departed",
    "out_for_delivery": "out_for_delivery",
    "arrived_at_destination": "delivered",
    "return": "return_to_sender",
    "delivery_exception": "package_damaged",
}


def timestamp(moment: dt.datetime | None) -> str | None:
    """Shippo's time format: ISO 8601 with microseconds and ``Z``."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ") if moment else None


def error(message: str, fields: dict[str, list[str]] | None = None) -> JsonObject:
    """A Shippo error body: ``detail`` plus field -> messages, as its API answers."""
    return {"detail": message, **(fields or {})}


def address(record: AddressRecord) -> JsonObject:
    """An Address, with ``validation_results`` once validated."""
    check = record.check
    validation: JsonObject | None = None
    if check is not None:
        validation = {
            "is_valid": check.ok,
            "messages": [
                {
                    "source": "Shippo Address Validator",
                    "code": p.shippo_code,
                    "type": "address_error",
                    "text": p.message,
                }
                for p in check.problems
            ],
        }
    return {
        "object_id": record.id,
        "object_owner": OWNER,
        "object_created": timestamp(record.created_at),
        "object_updated": timestamp(record.created_at),
        "is_complete": bool(record.street1 and record.city and record.zip),
        "validation_results": validation,
        "name": record.name or "",
        "company": record.company or "",
        "street1": record.street1 or "",
        "street2": record.street2 or "",
        "street3": "",
        "street_no": "",
        "city": record.city or "",
        "state": record.state or "",
        "zip": record.zip or "",
        "country": record.country,
        "phone": record.phone or "",
        "email": record.email or "",
        "is_residential": record.residential,
        "metadata": record.metadata or "",
        "latitude": check.latitude if check else None,
        "longitude": check.longitude if check else None,
        "test": True,
    }


def parcel(record: ParcelRecord) -> JsonObject:
    """A Parcel, echoing the units and strings it was created with."""
    given = record.given
    return {
        "object_id": record.id,
        "object_owner": OWNER,
        "object_state": "VALID",
        "object_created": timestamp(record.created_at),
        "object_updated": timestamp(record.created_at),
        "template": None,
        "length": given.get("length", str(record.length)),
        "width": given.get("width", str(record.width)),
        "height": given.get("height", str(record.height)),
        "distance_unit": record.distance_unit,
        "weight": given.get("weight", str(record.weight_oz)),
        "mass_unit": record.mass_unit,
        "metadata": record.metadata or "",
        "extra": {},
        "test": True,
    }


def _attributes(rate_record: RateRecord, shipment: ShipmentRecord) -> list[str]:
    attributes = []
    if rate_record.amount == min(r.amount for r in shipment.rates):
        attributes.append("CHEAPEST")
    if rate_record.delivery_date == min(r.delivery_date for r in shipment.rates):
        attributes.append("FASTEST")
    return attributes


def rate(record: RateRecord, shipment: ShipmentRecord) -> JsonObject:
    """A Rate with its service level."""
    service = record.service
    amount = str(record.amount)
    return {
        "object_id": record.id,
        "object_owner": OWNER,
        "object_created": timestamp(shipment.created_at),
        "shipment": shipment.id,
        "attributes": _attributes(record, shipment),
        "amount": amount,
        "currency": "USD",
        "amount_local": amount,
        "currency_local": "USD",
        "provider": service.carrier.value,
        "provider_image_75": None,
        "provider_image_200": None,
        "servicelevel": {
            "name": service.name,
            "token": service.token,
            "terms": "",
            "extended_token": service.token,
            "parent_servicelevel": None,
        },
        "estimated_days": record.delivery_days,
        "arrives_by": None,
        "duration_terms": f"Delivery in {record.delivery_days} business day(s).",
        "messages": [],
        "carrier_account": CARRIER_ACCOUNTS[service.carrier],
        "included_insurance_price": None,
        "test": True,
        "zone": str(catalogue.zone_for(shipment.miles)),
    }


def shipment(record: ShipmentRecord, store: SandboxStore) -> JsonObject:
    """A Shipment with its addresses, parcel and rates."""
    from_address = store.get(AddressRecord, record.from_address_id)
    to_address = store.get(AddressRecord, record.to_address_id)
    parcel_record = store.get(ParcelRecord, record.parcel_id)
    messages = (
        []
        if record.miles >= 0
        else [
            {"source": carrier.value, "code": "", "text": "Invalid or unknown ZIP code"}
            for carrier in Carrier
        ]
    )
    return {
        "object_id": record.id,
        "object_owner": OWNER,
        "object_created": timestamp(record.created_at),
        "object_updated": timestamp(record.created_at),
        "status": "SUCCESS",
        "address_from": address(from_address) if from_address else None,
        "address_to": address(to_address) if to_address else None,
        "address_return": address(from_address) if from_address else None,
        "parcels": [parcel(parcel_record)] if parcel_record else [],
        "shipment_date": timestamp(record.created_at),
        "extra": record.options,
        "customs_declaration": None,
        "carrier_accounts": [],
        "rates": [rate(r, record) for r in record.rates],
        "messages": messages,
        "metadata": record.metadata or "",
        "test": True,
    }


def transaction(
    record: TransactionRecord, store: SandboxStore, now: dt.datetime, base_url: str
) -> JsonObject:
    """A Transaction; label and tracking number appear once it is ``SUCCESS``."""
    shipment_record = store.get(ShipmentRecord, record.shipment_id)
    purchase = shipment_record.purchase if shipment_record else None
    done = record.status not in {"QUEUED", "WAITING"} and purchase is not None
    tracker = store.get(TrackerRecord, purchase.tracker_id or "") if purchase else None
    rate_record = shipment_record.rate(record.rate_id) if shipment_record else None
    return {
        "object_id": record.id,
        "object_owner": OWNER,
        "object_state": "VALID",
        "object_created": timestamp(record.created_at),
        "object_updated": timestamp(record.created_at),
        "status": record.status,
        "rate": record.rate_id,
        "parcel": shipment_record.parcel_id if shipment_record else None,
        "metadata": record.metadata or "",
        "eta": timestamp(catalogue.delivery_datetime(rate_record.delivery_date))
        if rate_record
        else None,
        "test": True,
        "tracking_number": purchase.tracking_code if done and purchase else "",
        "tracking_status": TRACKING_STATUS[tracker.status(now)] if done and tracker else None,
        "tracking_url_provider": f"{base_url}track/{tracker.id}" if done and tracker else "",
        "label_url": label_url(base_url, purchase.label_id, purchase.label_format)
        if done and purchase
        else "",
        "label_file_type": LABEL_FILE_TYPES[purchase.label_format] if purchase else None,
        "commercial_invoice_url": None,
        "qr_code_url": None,
        "created_by": None,
        "messages": [],
    }


def _location(city: str | None, state: str | None, zip_code: str | None) -> JsonObject:
    return {"city": city, "state": state, "zip": zip_code, "country": "US" if city else None}


def _status(event: TrackingEventRecord, number: int, tracker: TrackerRecord) -> JsonObject:
    return {
        "object_id": f"{tracker.id[:24]}{number:08d}",
        "object_created": timestamp(event.at),
        "object_updated": timestamp(event.at),
        "status": TRACKING_STATUS[event.status],
        "status_details": event.message,
        "status_date": timestamp(event.at),
        "substatus": {
            "code": SUBSTATUS.get(event.status_detail, "other"),
            "text": event.message,
            "action_required": event.status in {"return_to_sender", "failure"},
        },
        "location": _location(event.city, event.state, event.zip),
    }


def track(record: TrackerRecord, now: dt.datetime, store: SandboxStore) -> JsonObject:
    """A Track as of ``now``."""
    seen = record.visible(now)
    history = [_status(event, n, record) for n, event in enumerate(seen)]
    shipment_record = store.get(ShipmentRecord, record.shipment_id or "")
    purchase = shipment_record.purchase if shipment_record else None
    service = catalogue.SERVICES_BY_TOKEN.get(record.service_token or "")
    origin = record.plan[0] if record.plan else None
    destination = record.plan[-1] if record.plan else None
    return {
        "carrier": record.carrier.lower(),
        "tracking_number": record.tracking_code,
        "address_from": _location(origin.city, origin.state, origin.zip) if origin else None,
        "address_to": (
            _location(destination.city, destination.state, destination.zip) if destination else None
        ),
        "transaction": purchase.transaction_id if purchase else None,
        "original_eta": timestamp(record.est_delivery),
        "eta": timestamp(record.est_delivery),
        "servicelevel": {"token": service.token, "name": service.name} if service else None,
        "metadata": None,
        "messages": [],
        "tracking_status": history[-1] if history else None,
        "tracking_history": history,
    }


def track_event(record: TrackerRecord, now: dt.datetime, store: SandboxStore) -> JsonObject:
    """The ``track_updated`` webhook body."""
    return {"event": "track_updated", "test": True, "data": track(record, now, store)}


def refund(record: RefundRecord) -> JsonObject:
    """A Refund."""
    return {
        "object_id": record.id,
        "object_owner": OWNER,
        "object_created": timestamp(record.created_at),
        "object_updated": timestamp(record.created_at),
        "status": record.status,
        "transaction": record.transaction_id,
        "test": True,
    }
