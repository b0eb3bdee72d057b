"""Shippo's tracking vocabulary and its Track object as a ``TrackingReport`` (pure, SDK-free).

The one status table of Shippo: statuses are Shippo's ``TrackingStatusEnum``; sub-statuses are
the ``substatus.code`` values of Shippo's tracking event definitions. ``TRANSIT`` with
``out_for_delivery`` is our ``out_for_delivery``; an unlisted code maps to ``other``. Webhooks
and polling (the SDK's Track, as JSON) read the same Track object here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from finalmile.carriers.base import Scan, TrackingReport, TrackingStatus
from finalmile.carriers.base import TrackingDetail as D
from finalmile.carriers.parsing import location_text, parse_time, text_or_none

STATUS = {
    "UNKNOWN": TrackingStatus.UNKNOWN,
    "PRE_TRANSIT": TrackingStatus.PRE_TRANSIT,
    "TRANSIT": TrackingStatus.IN_TRANSIT,
    "DELIVERED": TrackingStatus.DELIVERED,
    "RETURNED": TrackingStatus.RETURNED,
    "FAILURE": TrackingStatus.FAILURE,
}
SUBSTATUS = {
    "information_received": D.LABEL_CREATED,
    "address_issue": D.ADDRESS_ISSUE,
    "contact_carrier": D.HELD,
    "delayed": D.DELAYED,
    "delivery_attempted": D.DELIVERY_ATTEMPTED,
    "delivery_rescheduled": D.DELAYED,
    "delivery_scheduled": D.IN_TRANSIT,
    "location_inaccessible": D.DELIVERY_ATTEMPTED,
    "notice_left": D.DELIVERY_ATTEMPTED,
    "out_for_delivery": D.OUT_FOR_DELIVERY,
    "package_accepted": D.ACCEPTED,
    "package_arrived": D.ARRIVED_AT_FACILITY,
    "package_damaged": D.DAMAGED,
    "package_departed": D.DEPARTED_FACILITY,
    "package_disposed": D.LOST,
    "package_forwarded": D.IN_TRANSIT,
    "package_held": D.HELD,
    "package_lost": D.LOST,
    "package_processed": D.IN_TRANSIT,
    "package_processing": D.IN_TRANSIT,
    "package_unclaimed": D.UNDELIVERABLE,
    "package_undeliverable": D.UNDELIVERABLE,
    "pickup_available": D.AVAILABLE_FOR_PICKUP,
    "reschedule_delivery": D.DELAYED,
    "return_to_sender": D.RETURN_TO_SENDER,
    "delivered": D.DELIVERED,
    "other": D.OTHER,
}


def normalize(status: str | None, substatus: str | None) -> tuple[TrackingStatus, D]:
    """Our status and detail for a Shippo ``status`` and ``substatus.code``."""
    ours = STATUS.get(status or "", TrackingStatus.UNKNOWN)
    detail = SUBSTATUS.get(substatus or "", D.OTHER)
    if ours is TrackingStatus.IN_TRANSIT and detail is D.OUT_FOR_DELIVERY:
        ours = TrackingStatus.OUT_FOR_DELIVERY
    if ours is TrackingStatus.DELIVERED:
        detail = D.DELIVERED
    elif ours is TrackingStatus.RETURNED and detail is D.OTHER:
        detail = D.RETURN_TO_SENDER
    return ours, detail


def track_report(data: Mapping[str, Any]) -> TrackingReport:
    """The report of a Shippo Track in JSON (a ``track_updated`` webhook's ``data``, or a poll)."""
    entries = list(data.get("tracking_history") or ())
    current = data.get("tracking_status")
    if not entries and isinstance(current, Mapping):
        entries = [current]
    scans = tuple(s for s in (_scan(entry) for entry in entries) if s is not None)
    status = _json_status(current)
    return TrackingReport(
        tracking_number=str(data["tracking_number"]),
        status=status,
        scans=scans,
        carrier=text_or_none(data.get("carrier")),
        estimated_delivery=parse_time(data.get("eta")),
    )


def _json_status(entry: Any) -> TrackingStatus:
    if not isinstance(entry, Mapping):
        return TrackingStatus.UNKNOWN
    return normalize(text_or_none(entry.get("status")), _code(entry))[0]


def _code(entry: Mapping[str, Any]) -> str | None:
    substatus = entry.get("substatus")
    return text_or_none(substatus.get("code")) if isinstance(substatus, Mapping) else None


def _scan(entry: Any) -> Scan | None:
    if not isinstance(entry, Mapping):
        return None
    moment = parse_time(entry.get("status_date"))
    if moment is None:
        return None
    code = _code(entry)
    status, detail = normalize(text_or_none(entry.get("status")), code)
    return Scan(
        occurred_at=moment,
        status=status,
        detail=detail,
        provider_status=text_or_none(entry.get("status")),
        provider_detail=code,
        message=text_or_none(entry.get("status_details")),
        location=location_text(entry.get("location")),
    )
