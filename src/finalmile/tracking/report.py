"""What a carrier told us about one parcel, in our words (pure values; no I/O).

A webhook body or a poll answer becomes a ``CarrierReport``: the parcel it is about and its scans,
each normalized (``status``, ``detail``) beside the provider's own codes. A scan's ``key`` is the
same whichever way it arrived (webhook or poll), so a scan seen twice is stored once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from finalmile.carriers.base import TrackingInfo, TrackingStatus
from finalmile.tracking.status import TrackingDetail

#: Poll answers carry our statuses only; these are the details they imply.
_DETAIL_OF_STATUS = {
    TrackingStatus.UNKNOWN: TrackingDetail.UNKNOWN,
    TrackingStatus.PRE_TRANSIT: TrackingDetail.LABEL_CREATED,
    TrackingStatus.IN_TRANSIT: TrackingDetail.IN_TRANSIT,
    TrackingStatus.OUT_FOR_DELIVERY: TrackingDetail.OUT_FOR_DELIVERY,
    TrackingStatus.DELIVERED: TrackingDetail.DELIVERED,
    TrackingStatus.RETURNED: TrackingDetail.RETURN_TO_SENDER,
    TrackingStatus.FAILURE: TrackingDetail.OTHER,
    TrackingStatus.CANCELLED: TrackingDetail.CANCELLED,
}


@dataclass(frozen=True)
class Scan:
    """One carrier scan, normalized; ``message`` and ``location`` may name people and places."""

    occurred_at: dt.datetime
    status: TrackingStatus
    detail: TrackingDetail
    provider_status: str | None = None
    provider_detail: str | None = None
    message: str | None = None
    location: str | None = None
    undated: bool = False

    def key(self, tracking_number: str) -> str:
        """The scan's identity: parcel, time and carrier message (the same via webhook or poll).

        An undated scan (a bare status, timed when we saw it) is identified by its status.
        """
        when = self.occurred_at.astimezone(dt.UTC).isoformat()
        text = f"{tracking_number}|{when}|{self.message or ''}"
        if self.undated:
            text = f"{tracking_number}|status|{self.status.value}"
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class CarrierReport:
    """A carrier's account of one parcel: scans so far and any delivery evidence."""

    provider: str
    tracking_number: str
    scans: tuple[Scan, ...]
    tracker_id: str | None = None
    carrier: str | None = None
    signed_by: str | None = None
    proof_url: str | None = None


def report_from_poll(
    provider: str, info: TrackingInfo, *, observed_at: dt.datetime
) -> CarrierReport:
    """A report from ``Carrier.track``; a status without scans counts as one scan seen now."""
    scans = tuple(
        Scan(
            occurred_at=event.at or observed_at,
            status=event.status,
            detail=_DETAIL_OF_STATUS[event.status],
            message=event.message,
            location=event.location,
        )
        for event in info.events
    )
    if not scans and info.status is not TrackingStatus.UNKNOWN:
        status = info.status
        detail = _DETAIL_OF_STATUS[status]
        scans = (Scan(occurred_at=observed_at, status=status, detail=detail, undated=True),)
    return CarrierReport(
        provider=provider,
        tracking_number=info.tracking_number,
        scans=scans,
        tracker_id=info.tracker_id,
        proof_url=info.public_url,
    )


def parse_time(value: object) -> dt.datetime | None:
    """An ISO 8601 time with an offset or ``Z`` as an aware datetime; None if absent or naive."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def location_text(value: Any) -> str | None:
    """ "City, ST, ZIP, country" from a provider's location object."""
    if not isinstance(value, Mapping):
        return None
    parts = [value.get(k) for k in ("city", "state", "zip", "country")]
    text = ", ".join(str(p) for p in parts if p)
    return text or None


def text_or_none(value: Any) -> str | None:
    """A provider's value as text; None for null or empty."""
    return str(value) if value not in (None, "") else None
