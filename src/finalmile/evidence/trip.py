"""When an order's package left and when it was delivered, from tracking's records.

Departure is the earliest of: a custody handoff out of the pharmacy (picked up by a driver, or
transferred to a carrier) and a carrier's first in-transit scan. Delivery is the earliest
recorded delivery: a custody ``delivered`` event, a proof of delivery, or the carrier's status.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from finalmile.evidence.temperature.evaluate import Window
from finalmile.tracking import CustodyEvent, CustodyKind, DeliveryProof, TrackingState

DEPARTURES = (CustodyKind.PICKED_UP.value, CustodyKind.TRANSFERRED_TO_CARRIER.value)


def trip_window(session: Session, order_pk: int) -> Window:
    """The order's departure and delivery times, each None until recorded."""
    departure = _earliest(
        session.scalar(
            select(func.min(CustodyEvent.at)).where(
                col(CustodyEvent.order_pk) == order_pk, col(CustodyEvent.kind).in_(DEPARTURES)
            )
        ),
        session.scalar(
            select(func.min(TrackingState.shipped_at)).where(
                col(TrackingState.order_pk) == order_pk
            )
        ),
    )
    delivery = _earliest(
        session.scalar(
            select(func.min(CustodyEvent.at)).where(
                col(CustodyEvent.order_pk) == order_pk,
                col(CustodyEvent.kind) == CustodyKind.DELIVERED.value,
            )
        ),
        session.scalar(
            select(func.min(DeliveryProof.delivered_at)).where(
                col(DeliveryProof.order_pk) == order_pk
            )
        ),
        session.scalar(
            select(func.min(TrackingState.delivered_at)).where(
                col(TrackingState.order_pk) == order_pk
            )
        ),
    )
    return Window(departure=departure, delivery=delivery)


def _earliest(*moments: dt.datetime | None) -> dt.datetime | None:
    known = [m for m in moments if m is not None]
    return min(known) if known else None
