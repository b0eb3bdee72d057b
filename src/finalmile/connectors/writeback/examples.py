"""An example of each webhook event, for the OpenAPI document (dates relative to today).

Each is built with its event model, so an example that no longer fits its schema fails here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from finalmile.connectors.writeback.events import (
    CancelledEvent,
    DeliveredEvent,
    DeliveryConfirmedEvent,
    ShippedEvent,
    WebhookEvent,
    ping,
)
from finalmile.outbox import (
    CancelledPayload,
    ClaimItem,
    DeliveredPayload,
    DeliveryConfirmedPayload,
    ShippedPayload,
)


def _examples(today: dt.date) -> dict[str, WebhookEvent]:
    def at(days: int, hour: int, minute: int) -> dt.datetime:
        return dt.datetime.combine(today + dt.timedelta(days=days), dt.time(hour, minute), dt.UTC)

    shipped_at, delivered_at = at(-2, 20, 31), at(-1, 18, 10)
    parcel = {"carrier": "UPS", "service": "2ndDayAir", "tracking_number": "1Z999AA10123456784"}
    return {
        "order.shipped": ShippedEvent(
            id=5101,
            type="order.shipped",
            connector="cpr",
            idempotency_key="cpr:shipped:1042:1Z999AA10123456784",
            created_at=shipped_at,
            data=ShippedPayload(
                order_id="RX-7001",
                order_pk=1042,
                tracking_url="https://www.ups.com/track?tracknum=1Z999AA10123456784",
                shipped_at=shipped_at,
                **parcel,
            ),
        ),
        "order.delivered": DeliveredEvent(
            id=5118,
            type="order.delivered",
            connector="cpr",
            idempotency_key="cpr:delivered:1042",
            created_at=delivered_at,
            data=DeliveredPayload(
                order_id="RX-7001",
                order_pk=1042,
                delivered_at=delivered_at,
                source="carrier",
                recipient_relationship="spouse",
                **parcel,
            ),
        ),
        "order.delivery_confirmed": DeliveryConfirmedEvent(
            id=5120,
            type="order.delivery_confirmed",
            connector="cpr",
            idempotency_key="cpr:delivery_confirmed:1042",
            created_at=delivered_at,
            data=DeliveryConfirmedPayload(
                order_id="RX-7001",
                order_pk=1042,
                rx_number="RX-7001",
                items=(
                    ClaimItem(
                        ndc="00002-8215-01",
                        description="Insulin lispro 100 unit/mL",
                        quantity=Decimal(2),
                        unit="mL",
                    ),
                ),
                date_of_service=delivered_at.date(),
                date_of_service_basis="delivered",
                shipped_at=shipped_at,
                delivered_at=delivered_at,
                pod_reference="POD-88",
                recipient_relationship="spouse",
                temperature_verdict="pass",
                **parcel,
            ),
        ),
        "order.cancelled": CancelledEvent(
            id=5131,
            type="order.cancelled",
            connector="cpr",
            idempotency_key="cpr:cancelled:1043",
            created_at=at(0, 8, 15),
            data=CancelledPayload(order_id="RX-7002", order_pk=1043, cancelled_at=at(0, 8, 15)),
        ),
        "ping": ping("cpr", now=at(0, 9, 0), nonce="3f2c9a"),
    }


#: One example event per type, keyed by type.
EXAMPLES = _examples(dt.datetime.now(dt.UTC).date())
