"""``POST /webhooks/{account}``: carrier tracking events, verified with the account's secret.

``/webhooks/easypost`` and ``/webhooks/shippo`` are the old per-provider routes, kept as aliases
verified with the global secrets (``carriers.webhook_routes``). No API key: a carrier proves itself
with the secret. Unsigned, forged or stale requests get 401 and change nothing; an unknown
account gets 404; a verified duplicate gets 200 with ``"outcome": "duplicate"`` (so the carrier
stops resending) and changes nothing either.
"""

from __future__ import annotations

import asyncio
import time
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel

from finalmile.carriers import WebhookRequest, webhook_receiver
from finalmile.config import Settings
from finalmile.deps import provided
from finalmile.errors import InputError
from finalmile.shipments import ShipmentService
from finalmile.tracking.service import TrackingService

router = APIRouter(prefix="/webhooks", tags=["tracking"])
#: Larger bodies are refused before any parsing (a tracker with its whole history is far smaller).
MAX_BODY_BYTES = 1_048_576
SettingsDep = Annotated[Settings, Depends(provided(Settings))]
ShipmentsDep = Annotated[ShipmentService, Depends(provided(ShipmentService))]
TrackingDep = Annotated[TrackingService, Depends(provided(TrackingService))]


class WebhookAnswer(BaseModel):
    """What became of a delivery: processed, duplicate, unmatched or ignored."""

    outcome: str
    new_events: int


@router.post("/{account}", response_model=WebhookAnswer)
async def carrier_webhook(
    request: Request,
    *,
    settings: SettingsDep,
    shipments: ShipmentsDep,
    tracking: TrackingDep,
    account: Annotated[
        str, Path(description="A carrier account; easypost and shippo: the old routes (aliases)")
    ],
    # Declared for the API docs; the receiver reads it with the rest of the query.
    token: Annotated[
        str | None, Query(description="The webhook URL's secret token (Shippo)")
    ] = None,
) -> WebhookAnswer:
    """A carrier's webhook; tracking events (EasyPost ``tracker.*``, Shippo ``track_updated``)
    are recorded, others acknowledged as ``ignored``."""
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise InputError(f"body larger than {MAX_BODY_BYTES} bytes", location="body")
    receiver = webhook_receiver(account, shipments.accounts, settings)
    delivery = WebhookRequest(
        body=body, headers=request.headers, query=request.query_params, received_at=time.time()
    )
    receiver.webhooks.verify(delivery)
    event = receiver.webhooks.parse(delivery)
    outcome = await asyncio.to_thread(
        tracking.receive,
        provider=receiver.provider,
        event_id=event.event_id,
        report=event.report,
    )
    return WebhookAnswer(outcome=outcome.outcome, new_events=outcome.new_events)
