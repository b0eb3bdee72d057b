"""EasyPost's tracking vocabulary and its Tracker object as a ``TrackingReport`` (pure, SDK-free).

The one status table of EasyPost: statuses and status details as listed in EasyPost's Tracker
reference; an unlisted detail maps to ``other`` (kept beside the provider's code), never to an
error. Polling (``carrier``) and webhooks (``webhooks``) read the same Tracker object here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from finalmile.carriers.base import Scan, TrackingReport, TrackingStatus
from finalmile.carriers.base import TrackingDetail as D
from finalmile.carriers.parsing import location_text, parse_time, text_or_none

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


def tracker_report(tracker: Mapping[str, Any]) -> TrackingReport:
    """The report of an EasyPost Tracker object (a webhook's ``result``, or a retrieved tracker).

    Without dated scans, a known status counts as one scan at the tracker's ``updated_at``.
    """
    status, detail = normalize(tracker.get("status"), tracker.get("status_detail"))
    scans = [_scan(entry) for entry in tracker.get("tracking_details") or ()]
    dated = tuple(scan for scan in scans if scan is not None)
    moment = parse_time(tracker.get("updated_at"))
    if not dated and moment is not None and status is not TrackingStatus.UNKNOWN:
        dated = (
            Scan(
                occurred_at=moment,
                status=status,
                detail=detail,
                provider_status=text_or_none(tracker.get("status")),
                provider_detail=text_or_none(tracker.get("status_detail")),
            ),
        )
    return TrackingReport(
        tracking_number=str(tracker["tracking_code"]),
        status=status,
        scans=dated,
        tracker_id=text_or_none(tracker.get("id")),
        carrier=text_or_none(tracker.get("carrier")),
        estimated_delivery=parse_time(tracker.get("est_delivery_date")),
        public_url=text_or_none(tracker.get("public_url")),
        signed_by=text_or_none(tracker.get("signed_by")),
    )


def _scan(entry: Any) -> Scan | None:
    if not isinstance(entry, Mapping):
        return None
    moment = parse_time(entry.get("datetime"))
    if moment is None:
        return None
    status, detail = normalize(entry.get("status"), entry.get("status_detail"))
    return Scan(
        occurred_at=moment,
        status=status,
        detail=detail,
        provider_status=text_or_none(entry.get("status")),
        provider_detail=text_or_none(entry.get("status_detail")),
        message=text_or_none(entry.get("message")),
        location=location_text(entry.get("tracking_location")),
    )
