"""EasyPost tracker events (``tracker.created`` / ``tracker.updated``) as ``CarrierReport``s.

Statuses and status details as listed in EasyPost's Tracker reference; an unlisted detail maps
to ``other`` (kept beside the provider's code), never to an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from finalmile.carriers.base import TrackingStatus
from finalmile.errors import InputError
from finalmile.tracking.report import CarrierReport, Scan, location_text, parse_time, text_or_none
from finalmile.tracking.status import TrackingDetail as D

PROVIDER = "easypost"
TRACKER_EVENTS = frozenset({"tracker.created", "tracker.updated"})

STATUS = {
    "unknown": TrackingStatus.UNKNOWN,
    "pre_transit": TrackingStatus.PRE_TRANSIT,
    "in_transit": TrackingStatus.IN_TRANSIT,
    "out_for_delivery": TrackingStatus.OUT_FOR_DELIVERY,
    "delivered": TrackingStatus.DELIVERED,
    # Held at a pickup point: not delivered, still moving towards the patient.
    "available_for_pickup": TrackingStatus.IN_TRANSIT,
    "return_to_sender": TrackingStatus.RETURNED,
    "failure": TrackingStatus.FAILURE,
    "cancelled": TrackingStatus.CANCELLED,
    "error": TrackingStatus.FAILURE,
}
DETAIL = {
    "address_correction": D.ADDRESS_ISSUE,
    "arrived_at_destination": D.ARRIVED_AT_FACILITY,
    "arrived_at_facility": D.ARRIVED_AT_FACILITY,
    "arrived_at_pickup_location": D.AVAILABLE_FOR_PICKUP,
    "awaiting_information": D.HELD,
    "cancelled": D.CANCELLED,
    "damaged": D.DAMAGED,
    "delayed": D.DELAYED,
    "delivered": D.DELIVERED,
    "delivery_exception": D.DELIVERY_ATTEMPTED,
    "departed_facility": D.DEPARTED_FACILITY,
    "departed_origin_facility": D.DEPARTED_FACILITY,
    "expired": D.UNKNOWN,
    "failure": D.OTHER,
    "held": D.HELD,
    "in_transit": D.IN_TRANSIT,
    "label_created": D.LABEL_CREATED,
    "lost": D.LOST,
    "missorted": D.DELAYED,
    "out_for_delivery": D.OUT_FOR_DELIVERY,
    "pickup_available": D.AVAILABLE_FOR_PICKUP,
    "received_at_destination_facility": D.ARRIVED_AT_FACILITY,
    "received_at_origin_facility": D.ACCEPTED,
    "refused": D.REFUSED,
    "return": D.RETURN_TO_SENDER,
    "return_to_sender": D.RETURN_TO_SENDER,
    "status_update": D.OTHER,
    "transferred_to_destination_carrier": D.IN_TRANSIT,
    "transit_exception": D.DELAYED,
    "unknown": D.UNKNOWN,
    "weather_delay": D.DELAYED,
}
#: The detail a status forces whatever the detail code says (a delivered scan is "delivered").
_DETAIL_OF_STATUS = {
    "delivered": D.DELIVERED,
    "available_for_pickup": D.AVAILABLE_FOR_PICKUP,
    "cancelled": D.CANCELLED,
}
_KEEP_ON_RETURN = frozenset({D.REFUSED, D.UNDELIVERABLE, D.DAMAGED, D.ADDRESS_ISSUE})


def normalize(status: str | None, detail: str | None) -> tuple[TrackingStatus, D]:
    """Our status and detail for an EasyPost ``status`` and ``status_detail``."""
    ours = STATUS.get(status or "", TrackingStatus.UNKNOWN)
    forced = _DETAIL_OF_STATUS.get(status or "")
    if forced is not None:
        return ours, forced
    mapped = DETAIL.get(detail or "", D.OTHER)
    if ours is TrackingStatus.RETURNED and mapped not in _KEEP_ON_RETURN:
        mapped = D.RETURN_TO_SENDER
    return ours, mapped


def parse_event(body: Mapping[str, Any]) -> tuple[str, CarrierReport | None]:
    """The event id and, for tracker events, the report (None for other event types).

    Raises:
        InputError: the body is not an EasyPost Event, or its tracker has no tracking code.
    """
    event_id = body.get("id")
    if body.get("object") != "Event" or not isinstance(event_id, str) or not event_id:
        raise InputError("not an EasyPost Event", location="id")
    if body.get("description") not in TRACKER_EVENTS:
        return event_id, None
    tracker = body.get("result")
    if not isinstance(tracker, Mapping) or not tracker.get("tracking_code"):
        raise InputError("tracker event without a tracking code", location="result.tracking_code")
    return event_id, tracker_report(tracker)


def tracker_report(tracker: Mapping[str, Any]) -> CarrierReport:
    """A report from an EasyPost Tracker object."""
    scans = [_scan(detail) for detail in tracker.get("tracking_details") or ()]
    dated = tuple(scan for scan in scans if scan is not None)
    if not dated:
        moment = parse_time(tracker.get("updated_at"))
        status, detail = normalize(tracker.get("status"), tracker.get("status_detail"))
        if moment is not None and status is not TrackingStatus.UNKNOWN:
            dated = (
                Scan(
                    occurred_at=moment,
                    status=status,
                    detail=detail,
                    provider_status=tracker.get("status"),
                    provider_detail=tracker.get("status_detail"),
                ),
            )
    return CarrierReport(
        provider=PROVIDER,
        tracking_number=str(tracker["tracking_code"]),
        scans=dated,
        tracker_id=text_or_none(tracker.get("id")),
        carrier=text_or_none(tracker.get("carrier")),
        signed_by=text_or_none(tracker.get("signed_by")),
        proof_url=text_or_none(tracker.get("public_url")),
    )


def _scan(detail: Any) -> Scan | None:
    if not isinstance(detail, Mapping):
        return None
    moment = parse_time(detail.get("datetime"))
    if moment is None:
        return None
    status, ours = normalize(detail.get("status"), detail.get("status_detail"))
    return Scan(
        occurred_at=moment,
        status=status,
        detail=ours,
        provider_status=text_or_none(detail.get("status")),
        provider_detail=text_or_none(detail.get("status_detail")),
        message=text_or_none(detail.get("message")),
        location=location_text(detail.get("tracking_location")),
    )
