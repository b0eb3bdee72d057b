"""Building carrier events and reading back what tracking stored, for the tracking tests."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from typing import Any

from sqlalchemy import func, select
from sqlmodel import col

from finalmile.app import Services
from finalmile.auth.models import Scope
from finalmile.auth.service import create_key
from finalmile.carriers.easypost.webhooks import signature as easypost_signature
from finalmile.outbox import OutboxEvent
from finalmile.shipments.models import Shipment
from finalmile.tracking.custody import chain, verify_chain
from finalmile.tracking.models import TrackingEventRow, TrackingState, WebhookReceipt
from tests.integration.shipments.conftest import ingest_orders
from tests.integration.tracking.conftest import EASYPOST_SECRET

T0 = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)
#: (hours after T0, EasyPost status, status_detail, message): a parcel's scans, oldest first.
DELIVERED_PLAN = [
    (0, "pre_transit", "label_created", "Shipping Label Created"),
    (6, "in_transit", "arrived_at_facility", "Accepted at Origin"),
    (37, "in_transit", "departed_facility", "In Transit"),
    (41, "out_for_delivery", "out_for_delivery", "Out for Delivery"),
    (49, "delivered", "arrived_at_destination", "Delivered"),
]


def dropship(services: Services, sequence: int) -> tuple[str, str]:
    """A stored order shipped by the drop shipper (no carrier call): (order id, tracking no.)."""
    (order_id,) = ingest_orders(services, 1, start=sequence)
    number = f"9400{sequence:018d}"
    services.shipments.record_external(
        order_id=order_id, account="maker", carrier="USPS", tracking_number=number
    )
    return order_id, number


def easypost_event(
    number: str, upto: int, *, event_id: str, plan: list[tuple[int, str, str, str]] | None = None
) -> dict[str, Any]:
    """A ``tracker.updated`` Event carrying the first ``upto`` scans (cumulative, as EasyPost)."""
    scans = (plan or DELIVERED_PLAN)[:upto]
    details = [
        {
            "object": "TrackingDetail",
            "status": status,
            "status_detail": detail,
            "message": message,
            "datetime": (T0 + dt.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "tracking_location": {"city": "CAMBRIDGE", "state": "MA", "zip": "02139"},
        }
        for hours, status, detail, message in scans
    ]
    last = scans[-1]
    return {
        "object": "Event",
        "id": event_id,
        "description": "tracker.updated",
        "result": {
            "id": f"trk_{number}",
            "object": "Tracker",
            "tracking_code": number,
            "carrier": "USPS",
            "status": last[1],
            "status_detail": last[2],
            "signed_by": "SIGNER" if last[1] == "delivered" else None,
            "public_url": f"https://track.example/{number}",
            "tracking_details": details,
        },
    }


def signed(body: dict[str, Any], secret: str = EASYPOST_SECRET) -> tuple[bytes, dict[str, str]]:
    """The raw body and EasyPost's signature header for it."""
    raw = json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    headers["X-Hmac-Signature"] = easypost_signature(raw, secret)
    return raw, headers


def api_key(services: Services) -> dict[str, str]:
    """Headers with a fresh admin key."""
    with services.sessions() as session, session.begin():
        issued = create_key(session=session, name="test", scopes=[Scope.ADMIN])
    return {"X-API-Key": issued.token}


def shipment_of(services: Services, order_id: str) -> Shipment:
    with services.sessions() as session:
        return session.scalars(select(Shipment).where(col(Shipment.order_id) == order_id)).one()


def state_of(services: Services, order_id: str) -> TrackingState | None:
    shipment = shipment_of(services, order_id)
    with services.sessions() as session:
        return session.get(TrackingState, shipment.id)


def outbox_topics(services: Services, order_id: str) -> Counter[str]:
    """How many outbox rows of each topic the order has."""
    with services.sessions() as session:
        rows = session.execute(
            select(col(OutboxEvent.topic), func.count())
            .where(col(OutboxEvent.order_id) == order_id)
            .group_by(col(OutboxEvent.topic))
        ).all()
    return Counter({str(topic): int(count) for topic, count in rows})


def stored_counts(services: Services) -> tuple[int, int]:
    """(webhook receipts, tracking events) in the database."""
    with services.sessions() as session:
        receipts = session.scalar(select(func.count()).select_from(WebhookReceipt))
        events = session.scalar(select(func.count()).select_from(TrackingEventRow))
    return int(receipts or 0), int(events or 0)


def custody_kinds(services: Services, order_id: str) -> list[str]:
    """The order's custody kinds, after checking the chain verifies."""
    shipment = shipment_of(services, order_id)
    with services.sessions() as session:
        events = chain(session, shipment.order_pk)
    assert verify_chain(events).ok
    return [event.kind for event in events]
