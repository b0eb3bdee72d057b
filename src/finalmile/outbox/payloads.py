"""The payload of each outbox topic, validated when the row is written.

Payloads carry no patient data (names, addresses, birth dates, phones): a PMS already knows
its patient by the order; ``recipient_relationship`` says who signed without saying who it was.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from finalmile.outbox_terms import Topic


class _Payload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    order_id: str = Field(min_length=1, max_length=100, description="The PMS's order number")
    order_pk: int = Field(description="finalmile's order row")


class ShippedPayload(_Payload):
    """``order.shipped``: a tracking number is known."""

    carrier: str
    service: str | None = None
    tracking_number: str
    tracking_url: str | None = None
    shipped_at: AwareDatetime


class DeliveredPayload(_Payload):
    """``order.delivered``: the carrier or our driver delivered the package."""

    delivered_at: AwareDatetime
    source: Literal["carrier", "driver"]
    carrier: str | None = None
    service: str | None = None
    tracking_number: str | None = None
    recipient_relationship: str | None = Field(
        None, description="self, spouse, caregiver...; never a name"
    )


class ClaimItem(BaseModel):
    """One billed line."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ndc: str | None
    description: str | None
    quantity: Decimal
    unit: str | None


class DeliveryConfirmedPayload(_Payload):
    """``order.delivery_confirmed``: proof of delivery complete; what a claim needs."""

    rx_number: str = Field(description="The prescription/order number billed")
    items: tuple[ClaimItem, ...] = Field(min_length=1)
    date_of_service: dt.date
    date_of_service_basis: Literal["shipped", "delivered"]
    shipped_at: AwareDatetime | None
    delivered_at: AwareDatetime
    carrier: str | None
    service: str | None
    tracking_number: str | None
    pod_reference: str
    recipient_relationship: str | None = None
    temperature_verdict: str | None = Field(
        None, description="pass when the connector requires a passed temperature log"
    )


class CancelledPayload(_Payload):
    """``order.cancelled``: the pharmacy cancelled the order in finalmile (not the PMS)."""

    cancelled_at: AwareDatetime


#: Any topic's payload model (what ``enqueue`` takes, and the webhook events' ``data``).
Payload = ShippedPayload | DeliveredPayload | DeliveryConfirmedPayload | CancelledPayload

PAYLOADS: dict[Topic, type[_Payload]] = {
    Topic.SHIPPED: ShippedPayload,
    Topic.DELIVERED: DeliveredPayload,
    Topic.DELIVERY_CONFIRMED: DeliveryConfirmedPayload,
    Topic.CANCELLED: CancelledPayload,
}


def validate_payload(topic: str, payload: Payload | dict[str, Any]) -> tuple[Topic, dict[str, Any]]:
    """The topic and the payload in its JSON form (a model is checked against the topic too).

    Raises:
        ValueError: an unknown topic, or a payload that does not fit it (pydantic names the field).
    """
    try:
        known = Topic(topic)
    except ValueError:
        choices = ", ".join(t.value for t in Topic)
        raise ValueError(f"unknown outbox topic {topic!r}; known: {choices}") from None
    expected = PAYLOADS[known]
    if isinstance(payload, BaseModel):
        if not isinstance(payload, expected):
            raise ValueError(f"{type(payload).__name__} is not the payload of {known.value}")
        return known, payload.model_dump(mode="json")
    return known, expected.model_validate(payload).model_dump(mode="json")
