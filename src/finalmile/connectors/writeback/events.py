"""The webhook events a PMS receives: one envelope model per type around the outbox's payload model.

The same models build every body sent (``event_of``) and are declared in the OpenAPI document's
``webhooks`` section (``finalmile.api.webhooks``), so the published schema is the one sent.
``ping`` is sent only by ``finalmile webhooks test``, to check a receiver before going live.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from finalmile.outbox import (
    CancelledPayload,
    DeliveredPayload,
    DeliveryConfirmedPayload,
    Effect,
    ShippedPayload,
    Topic,
)

PING = "ping"


class PingPayload(BaseModel):
    """``ping``: a test from ``finalmile webhooks test``; no order, nothing to store."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    message: str = Field(description="Says this is a test")


class _Envelope(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    connector: str = Field(description="The connector profile the event belongs to")
    idempotency_key: str = Field(
        description="<connector>:<event key>; the same on every retry and replay (and webhook-id)"
    )
    created_at: AwareDatetime = Field(description="When finalmile recorded the event")


class _OrderEvent(_Envelope):
    id: int = Field(description="finalmile's outbox event id (the same on every retry)")


class ShippedEvent(_OrderEvent):
    """A tracking number is known: the order left the pharmacy."""

    type: Literal["order.shipped"]
    data: ShippedPayload


class DeliveredEvent(_OrderEvent):
    """The carrier or a driver delivered the order."""

    type: Literal["order.delivered"]
    data: DeliveredPayload


class DeliveryConfirmedEvent(_OrderEvent):
    """Proof of delivery is complete: the order may be billed (at most one per order)."""

    type: Literal["order.delivery_confirmed"]
    data: DeliveryConfirmedPayload


class CancelledEvent(_OrderEvent):
    """The pharmacy cancelled the order in finalmile; its label is voided where it can be."""

    type: Literal["order.cancelled"]
    data: CancelledPayload


class PingEvent(_Envelope):
    """A signed test request; answer 2xx to show the receiver verifies finalmile's signature."""

    id: None = Field(description="always null: a ping is no outbox event")
    type: Literal["ping"]
    data: PingPayload


WebhookEvent = ShippedEvent | DeliveredEvent | DeliveryConfirmedEvent | CancelledEvent | PingEvent

#: Every event type and its model, in the order the OpenAPI document lists them.
EVENTS: dict[str, type[WebhookEvent]] = {
    Topic.SHIPPED.value: ShippedEvent,
    Topic.DELIVERED.value: DeliveredEvent,
    Topic.DELIVERY_CONFIRMED.value: DeliveryConfirmedEvent,
    Topic.CANCELLED.value: CancelledEvent,
    PING: PingEvent,
}


def event_of(effect: Effect) -> WebhookEvent:
    """The event an outbox effect is sent as (its payload validated against the type's model).

    Raises:
        pydantic.ValidationError: a stored payload that no longer fits its model.
    """
    return EVENTS[effect.topic.value].model_validate(
        {
            "id": effect.event_id,
            "type": effect.topic.value,
            "connector": effect.connector,
            "idempotency_key": effect.idempotency_key,
            "created_at": effect.created_at,
            "data": effect.payload,
        }
    )


def ping(connector: str, *, now: dt.datetime, nonce: str) -> PingEvent:
    """A test event for ``connector`` (``nonce`` keeps its key unique)."""
    return PingEvent(
        id=None,
        type="ping",
        connector=connector,
        idempotency_key=f"{connector}:ping:{nonce}",
        created_at=now,
        data=PingPayload(message="finalmile webhook test: answer 2xx when the signature verifies"),
    )


def body_of(event: WebhookEvent) -> bytes:
    """The JSON body: compact, keys sorted (sign these exact bytes)."""
    return json.dumps(event.model_dump(mode="json"), separators=(",", ":"), sort_keys=True).encode()
