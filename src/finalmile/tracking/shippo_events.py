"""Shippo ``track_updated`` webhooks as ``CarrierReport``s.

Statuses are Shippo's ``TrackingStatusEnum``; sub-statuses are the ``substatus.code`` values of
Shippo's tracking event definitions. ``TRANSIT`` with ``out_for_delivery`` is our
``out_for_delivery``; an unlisted code maps to ``other``. A Shippo event has no id of its own: its
identity is the SHA-256 of the body, so a resent (or replayed) body counts once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from finalmile.carriers.base import TrackingStatus
from finalmile.errors import InputError
from finalmile.tracking.report import CarrierReport, Scan, location_text, parse_time, text_or_none
from finalmile.tracking.status import TrackingDetail as D

PROVIDER = "shippo"

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


def event_id(raw: bytes) -> str:
    """The identity of a Shippo webhook delivery: the SHA-256 of its body."""
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def parse_event(body: Mapping[str, Any]) -> CarrierReport | None:
    """The report of a ``track_updated`` event (None for other event types).

    Raises:
        InputError: a track event without a tracking number.
    """
    if body.get("event") != "track_updated":
        return None
    data = body.get("data")
    if not isinstance(data, Mapping) or not data.get("tracking_number"):
        raise InputError("track event without a tracking number", location="data.tracking_number")
    entries = list(data.get("tracking_history") or ())
    current = data.get("tracking_status")
    if not entries and isinstance(current, Mapping):
        entries = [current]
    scans = tuple(scan for scan in (_scan(entry) for entry in entries) if scan is not None)
    return CarrierReport(
        provider=PROVIDER,
        tracking_number=str(data["tracking_number"]),
        scans=scans,
        carrier=text_or_none(data.get("carrier")),
    )


def _scan(entry: Any) -> Scan | None:
    if not isinstance(entry, Mapping):
        return None
    moment = parse_time(entry.get("status_date"))
    if moment is None:
        return None
    substatus = entry.get("substatus")
    code = substatus.get("code") if isinstance(substatus, Mapping) else None
    status, detail = normalize(entry.get("status"), code)
    return Scan(
        occurred_at=moment,
        status=status,
        detail=detail,
        provider_status=text_or_none(entry.get("status")),
        provider_detail=text_or_none(code),
        message=text_or_none(entry.get("status_details")),
        location=location_text(entry.get("location")),
    )
