"""The webhook events finalmile sends, for the OpenAPI document's ``webhooks`` section.

Not served: ``main.create_app`` adds these operations to ``app.webhooks``, so ``/openapi.json``
declares each event type with its schema (the models that build the bodies) and an example.
"""

# No ``from __future__ import annotations``: the operations' annotations name the model of each
# event type, which FastAPI must see as objects.

from typing import Annotated

from fastapi import APIRouter, Body, Header

from finalmile.connectors.writeback import EVENTS, EXAMPLES, TOLERANCE_SECONDS, WebhookEvent

SIGNED = (
    "Signed with Standard Webhooks (https://www.standardwebhooks.com; `signature: standard`): "
    "verify `webhook-signature` with an official library and your `whsec_` secret, over the raw "
    f"body, allowing {TOLERANCE_SECONDS // 60} minutes of clock skew. Connectors configured with "
    "the older `signature: finalmile` send `Finalmile-Timestamp` and `Finalmile-Signature` "
    "instead (docs/webhooks.md). Answer 2xx once the event is stored; finalmile retries 408, 409, "
    "425, 429, 5xx and timeouts."
)

webhooks = APIRouter()


def _declare(event_type: str, model: type[WebhookEvent]) -> None:
    example = EXAMPLES[event_type].model_dump(mode="json")

    def receive(
        event: Annotated[
            model,  # type: ignore[valid-type]
            Body(openapi_examples={"example": {"summary": event_type, "value": example}}),
        ],
        webhook_id: Annotated[str, Header(description="The Idempotency-Key: dedupe on it")],
        webhook_timestamp: Annotated[str, Header(description="Unix seconds of this attempt")],
        webhook_signature: Annotated[
            str, Header(description="v1,<base64 HMAC-SHA256>, one per secret, space-separated")
        ],
        idempotency_key: Annotated[
            str, Header(description="<connector>:<event key>, the same on every retry")
        ],
    ) -> None:
        """Implemented by the PMS, not by finalmile."""

    webhooks.add_api_route(
        event_type,
        receive,
        methods=["POST"],
        summary=event_type,
        description=f"{(model.__doc__ or '').strip()}\n\n{SIGNED}",
        operation_id=f"webhook_{event_type.replace('.', '_')}",
        responses={200: {"description": "Stored (or already stored: a retry or replay)"}},
        status_code=200,
    )


for _type, _model in EVENTS.items():
    _declare(_type, _model)
