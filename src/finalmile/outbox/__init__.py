"""Transactional outbox: every external effect is a row written with the state change causing it.

``enqueue(session, topic=..., key=..., connector=..., payload=...)`` inserts the row in the
caller's transaction and returns False when ``key`` was enqueued before (so callers may call it
on every duplicate event). Workers (``finalmile.outbox.worker``) lease due rows, deliver them to
the connector's write-back targets and retry with backoff until a budget is spent.

Payloads by topic (the models in ``payloads.py``, which the webhook events in the OpenAPI
document declare too; validated at enqueue; JSON types; no patient data):

``order.shipped`` (a tracking number is known)::

    {"order_id": "RX-1001", "order_pk": 7, "carrier": "UPS", "service": "2ndDayAir",
     "tracking_number": "1Z...", "tracking_url": "https://...",
     "shipped_at": "2026-11-22T15:04:00Z"}

``order.delivered`` (carrier event or driver update)::

    {"order_id": "RX-1001", "order_pk": 7, "delivered_at": "2026-11-23T18:10:00Z",
     "source": "carrier" | "driver", "carrier": "UPS", "service": "2ndDayAir",
     "tracking_number": "1Z...", "recipient_relationship": "self"}

``order.delivery_confirmed`` (the billing confirmation, at most one per order;
written by ``finalmile.billing.confirm_if_ready``)::

    {"order_id": "RX-1001", "order_pk": 7, "rx_number": "RX-1001",
     "items": [{"ndc": "00002-8215-01", "description": "...", "quantity": "2", "unit": "mL"}],
     "date_of_service": "2026-11-23", "date_of_service_basis": "delivered",
     "shipped_at": "...", "delivered_at": "...", "carrier": "UPS", "service": "2ndDayAir",
     "tracking_number": "1Z...", "pod_reference": "POD-7", "recipient_relationship": "self",
     "temperature_verdict": "pass" | null}

``order.cancelled`` (the pharmacy cancelled the order in finalmile; a cancellation from the PMS
is not echoed)::

    {"order_id": "RX-1001", "order_pk": 7, "cancelled_at": "2026-11-22T15:04:00Z"}

Keys are the effect's identity: use ``shipped:<order pk>:<tracking number>``,
``delivered:<order pk>``, ``delivery_confirmed:<order pk>``, ``cancelled:<order pk>``.
"""

from finalmile.outbox.enqueue import enqueue
from finalmile.outbox.jobs import add_outbox_workers
from finalmile.outbox.models import OutboxAttempt, OutboxEvent, OutboxStatus
from finalmile.outbox.payloads import (
    CancelledPayload,
    ClaimItem,
    DeliveredPayload,
    DeliveryConfirmedPayload,
    Payload,
    ShippedPayload,
)
from finalmile.outbox.ports import Deliverer, Effect
from finalmile.outbox.store import OutboxStore
from finalmile.outbox_terms import RetryPolicy, Topic

__all__ = [
    "CancelledPayload",
    "ClaimItem",
    "DeliveredPayload",
    "Deliverer",
    "DeliveryConfirmedPayload",
    "Effect",
    "OutboxAttempt",
    "OutboxEvent",
    "OutboxStatus",
    "OutboxStore",
    "Payload",
    "RetryPolicy",
    "ShippedPayload",
    "Topic",
    "add_outbox_workers",
    "enqueue",
]
