"""Records in EasyPost v2's JSON shapes (as in EasyPost's API reference and its SDK's cassettes)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from finalmile_sandbox import catalogue
from finalmile_sandbox.catalogue import Carrier
from finalmile_sandbox.labels import MEDIA_TYPES, label_url
from finalmile_sandbox.records import (
    AddressRecord,
    LabelFormat,
    ParcelRecord,
    RateRecord,
    RefundRecord,
    ShipmentRecord,
    TrackerRecord,
    TrackingEventRecord,
    WebhookRecord,
)
from finalmile_sandbox.store import SandboxStore

JsonObject = dict[str, Any]
#: One fixed carrier account per carrier, as a new EasyPost test account has.
CARRIER_ACCOUNTS = {
    Carrier.USPS: "ca_0000000000000000000000000000usps",
    Carrier.UPS: "ca_00000000000000000000000000000ups",
    Carrier.FEDEX: "ca_0000000000000000000000000000fedex",
}
USER_ID = "user_00000000000000000000000000sandbox"


def timestamp(moment: dt.datetime | None) -> str | None:
    """EasyPost's time format: ISO 8601 UTC with a ``Z``."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def error(code: str, message: str, errors: list[JsonObject] | None = None) -> JsonObject:
    """The ``{"error": {...}}`` body every EasyPost failure has."""
    return {"error": {"code": code, "message": message, "errors": errors or []}}


def _money(amount: Decimal, places: str = "0.01") -> str:
    return str(amount.quantize(Decimal(places)))


def address(record: AddressRecord) -> JsonObject:
    """An Address, with ``verifications`` when it was verified."""
    verifications: JsonObject = {}
    if record.check is not None:
        check = record.check
        errors = [
            {"code": p.code, "field": p.field, "message": p.message, "suggestion": None}
            for p in check.problems
        ]
        details = (
            {
                "latitude": check.latitude,
                "longitude": check.longitude,
                "time_zone": check.time_zone,
            }
            if check.ok
            else {}
        )
        verifications = {
            "zip4": {"success": check.ok, "errors": errors, "details": None},
            "delivery": {"success": check.ok, "errors": errors, "details": details},
        }
    return {
        "id": record.id,
        "object": "Address",
        "created_at": timestamp(record.created_at),
        "updated_at": timestamp(record.created_at),
        "name": record.name,
        "company": record.company,
        "street1": record.street1,
        "street2": record.street2,
        "city": record.city,
        "state": record.state,
        "zip": record.zip,
        "country": record.country,
        "phone": record.phone,
        "email": record.email,
        "mode": "test",
        "carrier_facility": None,
        "residential": record.residential,
        "federal_tax_id": None,
        "state_tax_id": None,
        "verifications": verifications,
    }


def parcel(record: ParcelRecord) -> JsonObject:
    """A Parcel (inches, ounces)."""
    return {
        "id": record.id,
        "object": "Parcel",
        "created_at": timestamp(record.created_at),
        "updated_at": timestamp(record.created_at),
        "length": record.length,
        "width": record.width,
        "height": record.height,
        "predefined_package": None,
        "weight": record.weight_oz,
        "mode": "test",
    }


def rate(record: RateRecord, shipment: ShipmentRecord, created: str | None = None) -> JsonObject:
    """A Rate; retail and list prices are fixed mark-ups of the sandbox rate.

    ``created`` is the shipment's creation time, already formatted (a shipment has 11 rates).
    """
    service = record.service
    created = created or timestamp(shipment.created_at)
    return {
        "id": record.id,
        "object": "Rate",
        "created_at": created,
        "updated_at": created,
        "mode": "test",
        "service": service.easypost_name,
        "carrier": service.carrier.value,
        "rate": _money(record.amount),
        "currency": "USD",
        "retail_rate": _money(record.amount * Decimal("1.15")),
        "retail_currency": "USD",
        "list_rate": _money(record.amount * Decimal("1.05")),
        "list_currency": "USD",
        "billing_type": "easypost",
        "delivery_days": record.delivery_days,
        "delivery_date": timestamp(catalogue.delivery_datetime(record.delivery_date)),
        "delivery_date_guaranteed": False,
        "est_delivery_days": record.delivery_days,
        "shipment_id": shipment.id,
        "carrier_account_id": CARRIER_ACCOUNTS[service.carrier],
    }


def _detail(event: TrackingEventRecord, carrier: str) -> JsonObject:
    return {
        "object": "TrackingDetail",
        "message": event.message,
        "description": "",
        "status": event.status,
        "status_detail": event.status_detail,
        "datetime": timestamp(event.at),
        "source": carrier,
        "carrier_code": "",
        "tracking_location": {
            "object": "TrackingLocation",
            "city": event.city,
            "state": event.state,
            "country": "US" if event.city else None,
            "zip": event.zip,
        },
    }


def tracker(record: TrackerRecord, now: dt.datetime, base_url: str) -> JsonObject:
    """A Tracker as of ``now``: only the scans that have happened are shown."""
    seen = record.visible(now)
    last = seen[-1] if seen else None
    return {
        "id": record.id,
        "object": "Tracker",
        "mode": "test",
        "tracking_code": record.tracking_code,
        "status": last.status if last else "unknown",
        "status_detail": last.status_detail if last else "unknown",
        "created_at": timestamp(record.created_at),
        "updated_at": timestamp(last.at if last else record.created_at),
        "signed_by": "SANDBOX" if last and last.status == "delivered" else None,
        "weight": None,
        "est_delivery_date": timestamp(record.est_delivery),
        "shipment_id": record.shipment_id,
        "carrier": record.carrier,
        "tracking_details": [_detail(event, record.carrier) for event in seen],
        "fees": [],
        "carrier_detail": {
            "object": "CarrierDetail",
            "service": (
                catalogue.SERVICES_BY_TOKEN[record.service_token].name
                if record.service_token
                else None
            ),
            "container_type": None,
            "est_delivery_date_local": None,
            "est_delivery_time_local": None,
            "origin_location": None,
            "origin_tracking_location": None,
            "destination_location": None,
            "destination_tracking_location": None,
            "guaranteed_delivery_date": None,
            "alternate_identifier": None,
            "initial_delivery_attempt": None,
        },
        "finalized": bool(last and last.status in {"delivered", "return_to_sender", "failure"}),
        "is_return": False,
        "public_url": f"{base_url}track/{record.id}",
    }


def shipment(
    record: ShipmentRecord, store: SandboxStore, now: dt.datetime, base_url: str
) -> JsonObject:
    """A Shipment with its addresses, parcel, rates and, once bought, label, tracker and fees."""
    from_address = store.get(AddressRecord, record.from_address_id)
    to_address = store.get(AddressRecord, record.to_address_id)
    parcel_record = store.get(ParcelRecord, record.parcel_id)
    purchase = record.purchase
    selected = record.rate(purchase.rate_id) if purchase else None
    tracker_record = store.get(TrackerRecord, purchase.tracker_id or "") if purchase else None
    postage_label = None
    fees: list[JsonObject] = []
    if purchase is not None and selected is not None:
        url = label_url(base_url, purchase.label_id, purchase.label_format)
        postage_label = {
            "object": "PostageLabel",
            "id": purchase.label_id,
            "created_at": timestamp(purchase.bought_at),
            "updated_at": timestamp(purchase.bought_at),
            "date_advance": 0,
            "integrated_form": "none",
            "label_date": timestamp(purchase.bought_at),
            "label_resolution": 300,
            "label_size": "4x6",
            "label_type": "default",
            "label_file_type": MEDIA_TYPES[purchase.label_format],
            "label_url": url,
            "label_pdf_url": url if purchase.label_format is LabelFormat.PDF else None,
            "label_zpl_url": url if purchase.label_format is LabelFormat.ZPL else None,
            "label_epl2_url": None,
            "label_file": None,
        }
        fees = [
            _fee("LabelFee", Decimal(0)),
            _fee("PostageFee", selected.amount, refunded=record.refund_status is not None),
        ]
        if purchase.insurance_fee is not None:
            fees.append(_fee("InsuranceFee", purchase.insurance_fee))
    messages = (
        []
        if record.rates or record.miles >= 0
        else [
            {"carrier": carrier.value, "type": "rate_error", "message": "Invalid ZIP code"}
            for carrier in Carrier
        ]
    )
    tracker_json = tracker(tracker_record, now, base_url) if tracker_record else None
    created = timestamp(record.created_at)
    return {
        "id": record.id,
        "object": "Shipment",
        "created_at": created,
        "updated_at": timestamp(purchase.bought_at if purchase else record.created_at),
        "is_return": False,
        "messages": messages,
        "mode": "test",
        "options": {"currency": "USD", "payment": {"type": "SENDER"}, **record.options},
        "reference": record.reference,
        "status": tracker_json["status"] if tracker_json else "unknown",
        "tracking_code": purchase.tracking_code if purchase else None,
        "batch_id": None,
        "batch_status": None,
        "batch_message": None,
        "customs_info": None,
        "from_address": address(from_address) if from_address else None,
        "to_address": address(to_address) if to_address else None,
        "return_address": address(from_address) if from_address else None,
        "buyer_address": address(to_address) if to_address else None,
        "insurance": _money(purchase.insurance) if purchase and purchase.insurance else None,
        "order_id": None,
        "parcel": parcel(parcel_record) if parcel_record else None,
        "postage_label": postage_label,
        "rates": [rate(r, record, created) for r in record.rates],
        "refund_status": record.refund_status,
        "scan_form": None,
        "selected_rate": rate(selected, record, created) if selected else None,
        "tracker": tracker_json,
        "usps_zone": catalogue.zone_for(record.miles) if record.miles >= 0 else None,
        "forms": [],
        "fees": fees,
    }


def _fee(kind: str, amount: Decimal, *, refunded: bool = False) -> JsonObject:
    return {
        "object": "Fee",
        "type": kind,
        "amount": _money(amount, "0.00001"),
        "charged": True,
        "refunded": refunded,
    }


def refund(record: RefundRecord) -> JsonObject:
    """A Refund."""
    return {
        "id": record.id,
        "object": "Refund",
        "created_at": timestamp(record.created_at),
        "updated_at": timestamp(record.created_at),
        "tracking_code": record.tracking_code,
        "confirmation_number": None,
        "status": record.status,
        "carrier": record.carrier,
        "shipment_id": record.shipment_id,
    }


def webhook(record: WebhookRecord) -> JsonObject:
    """A Webhook (the secret is never echoed)."""
    return {
        "id": record.id,
        "object": "Webhook",
        "mode": "test",
        "url": record.url,
        "created_at": timestamp(record.created_at),
        "disabled_at": None,
    }


def event(
    *,
    event_id: str,
    description: str,
    result: JsonObject,
    previous_status: str | None,
    urls: list[str],
    now: dt.datetime,
) -> JsonObject:
    """An Event as posted to webhooks (``tracker.created`` / ``tracker.updated``)."""
    return {
        "object": "Event",
        "id": event_id,
        "mode": "test",
        "description": description,
        "previous_attributes": {"status": previous_status} if previous_status else {},
        "result": result,
        "status": "pending",
        "pending_urls": urls,
        "completed_urls": [],
        "user_id": USER_ID,
        "created_at": timestamp(now),
        "updated_at": timestamp(now),
    }
