"""``POST /webhooks/easypost`` and ``POST /webhooks/shippo``: carrier tracking events.

No API key: a carrier proves itself with the configured secret (see ``signatures``). Unsigned,
forged or stale requests get 401 and change nothing; a verified duplicate gets 200 with
``"outcome": "duplicate"`` (so the carrier stops resending) and changes nothing either.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from finalmile.deps import ServicesDep
from finalmile.errors import InputError
from finalmile.tracking import easypost_events, shippo_events
from finalmile.tracking.service import tracking_service
from finalmile.tracking.signatures import (
    SignatureError,
    verify_easypost,
    verify_shippo_signature,
    verify_shippo_token,
)

router = APIRouter(prefix="/webhooks", tags=["tracking"])
#: Larger bodies are refused before any parsing (a tracker with its whole history is far smaller).
MAX_BODY_BYTES = 1_048_576


class WebhookAnswer(BaseModel):
    """What became of a delivery: processed, duplicate, unmatched or ignored."""

    outcome: str
    new_events: int


async def _body(request: Request) -> bytes:
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise InputError(f"body larger than {MAX_BODY_BYTES} bytes", location="body")
    return body


def _json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InputError("body is not JSON", location="body", code="invalid_json") from None
    if not isinstance(data, dict):
        raise InputError("body is not a JSON object", location="body", code="invalid_json")
    return data


@router.post("/easypost", response_model=WebhookAnswer)
async def easypost_webhook(request: Request, services: ServicesDep) -> WebhookAnswer:
    """An EasyPost Event; ``tracker.created`` and ``tracker.updated`` are recorded."""
    configured = services.settings.easypost_webhook_secret
    body = await _body(request)
    if configured is None:
        raise SignatureError("EasyPost webhooks are not configured")
    secrets = [s.strip() for s in configured.get_secret_value().split(",") if s.strip()]
    verify_easypost(body, request.headers.get("X-Hmac-Signature"), secrets)
    event_id, report = easypost_events.parse_event(_json(body))
    outcome = await asyncio.to_thread(
        tracking_service(services).receive,
        provider=easypost_events.PROVIDER,
        event_id=event_id,
        report=report,
    )
    return WebhookAnswer(outcome=outcome.outcome, new_events=outcome.new_events)


@router.post("/shippo", response_model=WebhookAnswer)
async def shippo_webhook(
    request: Request,
    services: ServicesDep,
    token: Annotated[str | None, Query(description="The webhook URL's secret token")] = None,
) -> WebhookAnswer:
    """A Shippo webhook; ``track_updated`` is recorded."""
    settings = services.settings
    body = await _body(request)
    if settings.shippo_webhook_token is None:
        raise SignatureError("Shippo webhooks are not configured")
    verify_shippo_token(token, settings.shippo_webhook_token.get_secret_value())
    if settings.shippo_webhook_secret is not None:
        verify_shippo_signature(
            body,
            request.headers.get("Shippo-Auth-Signature"),
            settings.shippo_webhook_secret.get_secret_value(),
            now=time.time(),
            tolerance_seconds=settings.webhook_tolerance_seconds,
        )
    report = shippo_events.parse_event(_json(body))
    outcome = await asyncio.to_thread(
        tracking_service(services).receive,
        provider=shippo_events.PROVIDER,
        event_id=shippo_events.event_id(body),
        report=report,
    )
    return WebhookAnswer(outcome=outcome.outcome, new_events=outcome.new_events)
