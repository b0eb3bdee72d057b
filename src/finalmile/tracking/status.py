"""The normalized tracking vocabulary and the rule that derives a shipment's current status.

Every provider status and sub-status maps onto ``TrackingStatus`` plus a ``TrackingDetail``
(both ``carriers.base``; each provider's table lives in its carrier folder). A shipment's status
is a pure function of the *set* of its events (``current_status``), so duplicates and arrival
order cannot change it:

1. ``returned`` and ``cancelled`` are final: once any such event exists, the newest of them is
   the status (a return after a delivery scan is the one documented way out of ``delivered``).
2. Otherwise ``delivered`` is final: once any delivered event exists, the status is delivered
   (as of the earliest delivered event), whatever arrives later.
3. Otherwise the status is the furthest progress reached (pre_transit < in_transit <
   out_for_delivery; ties: the newest event), unless the newest event is a ``failure`` newer
   than every progress event: then it is ``failure`` (an exception that a newer progress event
   clears, e.g. a failed attempt followed by a second delivery run).

So a late ``in_transit`` never undoes ``out_for_delivery`` or ``delivered``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from finalmile.carriers import TrackingDetail, TrackingStatus
from finalmile.orders import OrderStatus

TERMINAL = frozenset({TrackingStatus.DELIVERED, TrackingStatus.RETURNED, TrackingStatus.CANCELLED})
#: Statuses that mean the parcel is in a carrier's or a driver's hands.
SHIPPED = frozenset(
    {
        TrackingStatus.IN_TRANSIT,
        TrackingStatus.OUT_FOR_DELIVERY,
        TrackingStatus.DELIVERED,
        TrackingStatus.FAILURE,
    }
)
#: The order status a live shipment's tracking status means, and why, in plain words.
ORDER_STATUS: dict[TrackingStatus, tuple[OrderStatus, str]] = {
    TrackingStatus.PRE_TRANSIT: (OrderStatus.DISPATCHED, "label created, awaiting pickup"),
    TrackingStatus.IN_TRANSIT: (OrderStatus.IN_TRANSIT, "on its way"),
    TrackingStatus.OUT_FOR_DELIVERY: (OrderStatus.OUT_FOR_DELIVERY, "out for delivery"),
    TrackingStatus.DELIVERED: (OrderStatus.DELIVERED, "delivered"),
    TrackingStatus.FAILURE: (OrderStatus.FAILED_ATTEMPT, "delivery attempt failed"),
    TrackingStatus.RETURNED: (OrderStatus.RETURNED, "returned to the sender"),
    TrackingStatus.CANCELLED: (OrderStatus.READY, "shipment cancelled by the carrier"),
}
_PROGRESS = {
    TrackingStatus.UNKNOWN: 0,
    TrackingStatus.PRE_TRANSIT: 1,
    TrackingStatus.IN_TRANSIT: 2,
    TrackingStatus.OUT_FOR_DELIVERY: 3,
}


@dataclass(frozen=True)
class StatusPoint:
    """A status at a time: what ``current_status`` reads from each event."""

    status: TrackingStatus
    occurred_at: dt.datetime
    detail: str = TrackingDetail.OTHER.value


def current_status(events: Iterable[StatusPoint]) -> StatusPoint | None:
    """The shipment's status given all its events (see the module docstring); None if none."""
    points = list(events)
    if not points:
        return None
    final = [p for p in points if p.status in (TrackingStatus.RETURNED, TrackingStatus.CANCELLED)]
    if final:
        return max(final, key=_newest)
    delivered = [p for p in points if p.status is TrackingStatus.DELIVERED]
    if delivered:
        return min(delivered, key=_newest)
    progress = [p for p in points if p.status in _PROGRESS]
    failures = [p for p in points if p.status is TrackingStatus.FAILURE]
    furthest = max(progress, key=lambda p: (_PROGRESS[p.status], *_newest(p)), default=None)
    latest_failure = max(failures, key=_newest, default=None)
    if latest_failure is None:
        return furthest
    if furthest is None or latest_failure.occurred_at > max(p.occurred_at for p in progress):
        return latest_failure
    return furthest


def _newest(point: StatusPoint) -> tuple[dt.datetime, str, str]:
    # Ties on time are broken by status and detail so the choice never depends on arrival order.
    return (point.occurred_at, point.status.value, point.detail)
