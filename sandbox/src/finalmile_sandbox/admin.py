"""Sandbox controls over HTTP (``/_sandbox/...``) and the label files (``/files/...``).

No authentication: the sandbox listens on loopback and holds nothing but synthetic data.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import Annotated

from fastapi import APIRouter, Body, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from finalmile_sandbox import labels
from finalmile_sandbox.catalogue import SERVICES_BY_TOKEN
from finalmile_sandbox.engine import Sandbox
from finalmile_sandbox.errors import SandboxError
from finalmile_sandbox.faults import Fault
from finalmile_sandbox.records import (
    AddressRecord,
    Api,
    ShipmentRecord,
    TrackerRecord,
    WebhookRecord,
)
from finalmile_sandbox.store import new_id
from finalmile_sandbox.tracking import Outcome
from finalmile_sandbox.webhooks import WebhookDispatcher

router = APIRouter(prefix="/_sandbox", tags=["sandbox"])
files = APIRouter(tags=["sandbox"])


def _sandbox(request: Request) -> Sandbox:
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox


def _dispatcher(request: Request) -> WebhookDispatcher:
    dispatcher: WebhookDispatcher = request.app.state.dispatcher
    return dispatcher


class FaultState(BaseModel):
    """A rule with how often it fired."""

    fault: Fault
    fired: int
    remaining: int | None


class ClockChange(BaseModel):
    """Move the clock: forward by ``advance_seconds`` or to ``now``."""

    advance_seconds: float | None = Field(default=None, ge=0)
    now: dt.datetime | None = None


class ClockState(BaseModel):
    """The sandbox time and the webhook POSTs a change caused."""

    now: dt.datetime
    rate: float
    webhooks_sent: int = 0


class WebhookIn(BaseModel):
    """A webhook URL for one API's tracker events."""

    api: Api
    url: str
    secret: str | None = None


class OutcomeIn(BaseModel):
    """Where a tracker's plan should end."""

    outcome: Outcome


@router.get("/faults")
async def list_faults(request: Request) -> list[FaultState]:
    """The active fault rules."""
    rules = _sandbox(request).faults.rules()
    return [FaultState(fault=f, fired=n, remaining=left) for f, n, left in rules]


@router.post("/faults", status_code=201)
async def add_faults(request: Request, faults: Annotated[list[Fault], Body()]) -> list[FaultState]:
    """Append fault rules (a JSON list)."""
    for fault in faults:
        _sandbox(request).faults.add(fault)
    return await list_faults(request)


@router.delete("/faults", status_code=204)
async def clear_faults(request: Request) -> Response:
    """Remove every fault rule."""
    _sandbox(request).faults.clear()
    return Response(status_code=204)


@router.get("/clock")
async def get_clock(request: Request) -> ClockState:
    """The sandbox time."""
    clock = _sandbox(request).clock
    return ClockState(now=clock.now(), rate=clock.rate)


@router.post("/clock")
async def change_clock(request: Request, change: ClockChange) -> ClockState:
    """Move the clock, then send the tracker events that became due."""
    clock = _sandbox(request).clock
    if change.now is not None:
        if change.now.tzinfo is None:
            raise SandboxError(422, "PARAMETER.INVALID", "now must carry a UTC offset")
        clock.set(change.now)
    if change.advance_seconds:
        clock.advance(dt.timedelta(seconds=change.advance_seconds))
    sent = await _dispatcher(request).flush(str(request.base_url))
    return ClockState(now=clock.now(), rate=clock.rate, webhooks_sent=sent)


@router.post("/webhooks", status_code=201)
async def add_webhook(request: Request, hook: WebhookIn) -> dict[str, str]:
    """Register a webhook URL (EasyPost ones are signed with ``secret``)."""
    sandbox = _sandbox(request)
    record = WebhookRecord(
        id=new_id(hook.api, "hook"),
        api=hook.api,
        created_at=sandbox.clock.now(),
        url=hook.url,
        secret=hook.secret,
    )
    sandbox.store.put(record)
    return {"id": record.id}


@router.post("/webhooks/flush")
async def flush_webhooks(request: Request) -> dict[str, int]:
    """Send the tracker events due now."""
    return {"sent": await _dispatcher(request).flush(str(request.base_url))}


@router.post("/trackers/{api}/{tracking_code}/outcome")
async def set_outcome(
    request: Request, api: Api, tracking_code: str, body: OutcomeIn
) -> dict[str, str]:
    """Make a tracker end in ``outcome`` (delivered, return_to_sender, failure...)."""
    tracker = _sandbox(request).trackers.set_outcome(api, tracking_code, body.outcome)
    return {"tracker": tracker.id, "outcome": body.outcome.value}


@files.get("/files/{label_id}.{extension}")
async def label_file(request: Request, label_id: str, extension: str) -> Response:
    """A bought label's file (``pdf``, ``zpl`` or ``png``)."""
    formats = {ext: fmt for fmt, ext in labels.EXTENSIONS.items()}
    label_format = formats.get(extension)
    sandbox = _sandbox(request)
    shipment = next(
        (
            s
            for s in sandbox.store.all(ShipmentRecord)
            if s.purchase is not None and s.purchase.label_id == label_id
        ),
        None,
    )
    if label_format is None or shipment is None or shipment.purchase is None:
        return Response(status_code=404)
    return Response(
        labels.render(_content(sandbox, shipment), label_format),
        media_type=labels.MEDIA_TYPES[label_format],
    )


@files.get("/track/{tracker_id}", response_class=HTMLResponse)
async def tracking_page(request: Request, tracker_id: str) -> HTMLResponse:
    """The public tracking page trackers link to (``public_url``, ``tracking_url_provider``)."""
    sandbox = _sandbox(request)
    tracker = sandbox.store.get(TrackerRecord, tracker_id)
    if tracker is None:
        return HTMLResponse("<h1>Unknown tracker</h1>", status_code=404)
    now = sandbox.clock.now()
    rows = "".join(
        f"<tr><td>{html.escape(scan.at.isoformat())}</td><td>{html.escape(scan.status)}</td>"
        f"<td>{html.escape(scan.message)}</td>"
        f"<td>{html.escape(' '.join(filter(None, [scan.city, scan.state])))}</td></tr>"
        for scan in reversed(tracker.visible(now))
    )
    return HTMLResponse(
        f"<h1>{html.escape(tracker.carrier)} {html.escape(tracker.tracking_code)}</h1>"
        f"<p>Status: {html.escape(tracker.status(now))}</p><table>{rows}</table>"
    )


def _content(sandbox: Sandbox, shipment: ShipmentRecord) -> labels.LabelContent:
    assert shipment.purchase is not None
    rate = shipment.rate(shipment.purchase.rate_id)
    service = SERVICES_BY_TOKEN[rate.service_token] if rate else None

    def lines(address_id: str) -> tuple[str, ...]:
        a = sandbox.store.get(AddressRecord, address_id)
        if a is None:
            return ()
        last = " ".join(filter(None, [a.city, a.state, a.zip]))
        return tuple(filter(None, [a.name, a.company, a.street1, a.street2, last]))

    return labels.LabelContent(
        carrier=service.carrier.value if service else "",
        service=service.name if service else "",
        tracking_code=shipment.purchase.tracking_code,
        ship_to=lines(shipment.to_address_id),
        ship_from=lines(shipment.from_address_id),
    )
