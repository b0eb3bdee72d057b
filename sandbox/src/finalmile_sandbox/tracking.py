"""Tracking numbers and the scan plans trackers follow as the sandbox clock moves.

A plan is fixed when the tracker is made, so progress is deterministic: label created at purchase,
accepted at the origin on the ship date at 21:00 UTC, one departure scan per day in transit, out
for delivery at 08:00 and delivered at 16:00 UTC on the delivery date. An exceptional outcome
replaces the last scan (``return_to_sender``, ``failure``) or stops the plan early.
"""

from __future__ import annotations

import datetime as dt
import secrets
from enum import StrEnum

from finalmile.geo import Location
from finalmile_sandbox.catalogue import Carrier
from finalmile_sandbox.records import TrackingEventRecord

ACCEPTED_HOUR = 21
DEPARTED_HOUR = 4
OUT_FOR_DELIVERY_HOUR = 8
DELIVERED_HOUR = 16


class Outcome(StrEnum):
    """Where a tracker's plan ends (EasyPost tracker statuses)."""

    UNKNOWN = "unknown"
    PRE_TRANSIT = "pre_transit"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    RETURN_TO_SENDER = "return_to_sender"
    FAILURE = "failure"


#: EasyPost's test tracking codes and the status each one ends in.
EASYPOST_TEST_CODES = {
    "EZ1000000001": Outcome.PRE_TRANSIT,
    "EZ2000000002": Outcome.IN_TRANSIT,
    "EZ3000000003": Outcome.OUT_FOR_DELIVERY,
    "EZ4000000004": Outcome.DELIVERED,
    "EZ5000000005": Outcome.RETURN_TO_SENDER,
    "EZ6000000006": Outcome.FAILURE,
    "EZ7000000007": Outcome.UNKNOWN,
}
#: Shippo's test tracking numbers (carrier ``shippo``) and the status each one ends in.
SHIPPO_TEST_CODES = {
    "SHIPPO_PRE_TRANSIT": Outcome.PRE_TRANSIT,
    "SHIPPO_TRANSIT": Outcome.IN_TRANSIT,
    "SHIPPO_DELIVERED": Outcome.DELIVERED,
    "SHIPPO_RETURNED": Outcome.RETURN_TO_SENDER,
    "SHIPPO_FAILURE": Outcome.FAILURE,
    "SHIPPO_UNKNOWN": Outcome.UNKNOWN,
}


def new_tracking_code(carrier: Carrier) -> str:
    """A well-formed, random tracking number in the carrier's format."""
    if carrier is Carrier.USPS:
        return f"9400{secrets.randbelow(10**18):018d}"
    if carrier is Carrier.UPS:
        alphabet = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
        return "1Z" + "".join(secrets.choice(alphabet) for _ in range(16))
    return f"{secrets.randbelow(10**12):012d}"


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def _scan(
    at: dt.datetime, status: str, detail: str, message: str, place: Location | None
) -> TrackingEventRecord:
    return TrackingEventRecord(
        at=at,
        status=status,
        status_detail=detail,
        message=message,
        city=place.city.upper() if place and place.city else None,
        state=place.state if place else None,
        zip=place.postal_code if place else None,
    )


def plan(
    *,
    created: dt.datetime,
    shipped: dt.date,
    delivered: dt.date,
    origin: Location | None,
    destination: Location | None,
    outcome: Outcome = Outcome.DELIVERED,
) -> list[TrackingEventRecord]:
    """The scans of one parcel from label creation to ``outcome``, oldest first."""
    if outcome is Outcome.UNKNOWN:
        return []
    scans = [_scan(created, "pre_transit", "label_created", "Shipping Label Created", origin)]
    accepted = max(_at(shipped, ACCEPTED_HOUR), created + dt.timedelta(hours=1))
    transit = [_scan(accepted, "in_transit", "arrived_at_facility", "Accepted at Origin", origin)]
    day = shipped + dt.timedelta(days=1)
    while day < delivered:
        transit.append(
            _scan(_at(day, DEPARTED_HOUR), "in_transit", "departed_facility", "In Transit", None)
        )
        day += dt.timedelta(days=1)
    out = _scan(
        _at(delivered, OUT_FOR_DELIVERY_HOUR),
        "out_for_delivery",
        "out_for_delivery",
        "Out for Delivery",
        destination,
    )
    endings = {
        Outcome.DELIVERED: ("delivered", "arrived_at_destination", "Delivered"),
        Outcome.RETURN_TO_SENDER: (
            "return_to_sender",
            "return",
            "Addressee Unknown, Returned to Sender",
        ),
        Outcome.FAILURE: ("failure", "delivery_exception", "Delivery Exception, Package Damaged"),
    }
    if outcome is Outcome.PRE_TRANSIT:
        return scans
    if outcome is Outcome.IN_TRANSIT:
        return scans + transit
    scans += [*transit, out]
    if outcome in endings:
        status, detail, message = endings[outcome]
        scans.append(_scan(_at(delivered, DELIVERED_HOUR), status, detail, message, destination))
    return scans
