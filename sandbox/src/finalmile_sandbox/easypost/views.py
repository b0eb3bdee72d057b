"""The EasyPost v2 endpoints finalmile uses, mounted under ``/easypost/v2``.

Requests and responses follow EasyPost's API reference: JSON bodies wrapped in the object's name
(``{"shipment": {...}}``), HTTP Basic (key as user name) or Bearer auth, errors as
``{"error": {"code", "message", "errors"}}``.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from finalmile_sandbox.catalogue import Carrier
from finalmile_sandbox.easypost import parse, render
from finalmile_sandbox.engine import Sandbox
from finalmile_sandbox.errors import SandboxError
from finalmile_sandbox.injection import inject
from finalmile_sandbox.records import (
    AddressRecord,
    Api,
    ParcelRecord,
    RefundRecord,
    ShipmentRecord,
    TrackerRecord,
    WebhookRecord,
)
from finalmile_sandbox.store import new_id

API = Api.EASYPOST
_ACCOUNT_CARRIERS = {account: carrier for carrier, account in render.CARRIER_ACCOUNTS.items()}


def sandbox_of(request: Request) -> Sandbox:
    """The sandbox serving this request."""
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox


def api_key(request: Request) -> str | None:
    """The key from ``Authorization: Basic base64(key:)`` or ``Authorization: Bearer key``."""
    header = request.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() == "bearer":
        return credentials.strip() or None
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credentials, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[0] or None
    return None


async def _gate(request: Request) -> None:
    key = api_key(request)
    if key is None:
        raise SandboxError(
            401, "APIKEY.REQUIRED", "No API key found. Use HTTP Basic or Bearer authentication."
        )
    await inject(request, faults=sandbox_of(request).faults, api=API, key=key)


router = APIRouter(prefix="/easypost/v2", dependencies=[Depends(_gate)])


def _json(body: dict[str, Any] | list[Any], status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status)


def _not_found(what: str) -> SandboxError:
    return SandboxError(404, "NOT_FOUND", f"The requested {what} could not be found.")


def _base(request: Request) -> str:
    return str(request.base_url)


# -- addresses -----------------------------------------------------------------------------------


def _address_from(sandbox: Sandbox, data: dict[str, Any]) -> AddressRecord:
    """An address given inline, or by ``{"id": ...}`` of a stored one."""
    if "id" in data and len(data) == 1:
        found = sandbox.store.get(AddressRecord, str(data["id"]))
        if found is None:
            raise _not_found("address")
        return found
    return sandbox.add_address(API, parse.address_fields(data), verify=False)


def _verification_failure(record: AddressRecord) -> SandboxError:
    problems = record.check.problems if record.check else []
    return SandboxError(
        422,
        "ADDRESS.VERIFY.FAILURE",
        "Unable to verify address.",
        [
            {"code": p.code, "field": p.field, "message": p.message, "suggestion": None}
            for p in problems
        ],
    )


@router.post("/addresses", name="easypost.address.create")
async def create_address(request: Request) -> JSONResponse:
    """Create an address, verified when ``verify`` or ``verify_strict`` is set."""
    body = await request.json()
    data = parse.obj(body, "address")
    verify, strict = parse.wants_verification(body)
    record = sandbox_of(request).add_address(
        API, parse.address_fields(data), verify=verify or strict
    )
    if strict and record.check is not None and not record.check.ok:
        raise _verification_failure(record)
    return _json(render.address(record), 201)


@router.post("/addresses/create_and_verify", name="easypost.address.create_and_verify")
async def create_and_verify_address(request: Request) -> JSONResponse:
    """Create and verify in one call: ``{"address": ...}`` or a 422 verification failure."""
    data = parse.obj(await request.json(), "address")
    record = sandbox_of(request).add_address(API, parse.address_fields(data), verify=True)
    if record.check is not None and not record.check.ok:
        raise _verification_failure(record)
    return _json({"address": render.address(record)})


@router.get("/addresses/{address_id}", name="easypost.address.retrieve")
async def retrieve_address(request: Request, address_id: str) -> JSONResponse:
    """One address."""
    record = sandbox_of(request).store.get(AddressRecord, address_id)
    if record is None:
        raise _not_found("address")
    return _json(render.address(record))


@router.get("/addresses/{address_id}/verify", name="easypost.address.verify")
async def verify_address(request: Request, address_id: str) -> JSONResponse:
    """Verify a stored address: ``{"address": ...}`` or a 422 verification failure."""
    sandbox = sandbox_of(request)
    record = sandbox.store.get(AddressRecord, address_id)
    if record is None:
        raise _not_found("address")
    record = sandbox.verify_address(record)
    if record.check is not None and not record.check.ok:
        raise _verification_failure(record)
    return _json({"address": render.address(record)})


# -- parcels -------------------------------------------------------------------------------------


def _parcel_from(sandbox: Sandbox, data: dict[str, Any]) -> ParcelRecord:
    if "id" in data and len(data) == 1:
        found = sandbox.store.get(ParcelRecord, str(data["id"]))
        if found is None:
            raise _not_found("parcel")
        return found
    if data.get("weight") is None:
        raise parse.invalid("parcel.weight", "is required", "PARAMETER.REQUIRED")
    return sandbox.add_parcel(
        API,
        length=parse.number(data.get("length", 0), "parcel.length"),
        width=parse.number(data.get("width", 0), "parcel.width"),
        height=parse.number(data.get("height", 0), "parcel.height"),
        weight_oz=parse.number(data["weight"], "parcel.weight"),
    )


@router.post("/parcels", name="easypost.parcel.create")
async def create_parcel(request: Request) -> JSONResponse:
    """Create a parcel (inches, ounces)."""
    data = parse.obj(await request.json(), "parcel")
    return _json(render.parcel(_parcel_from(sandbox_of(request), data)), 201)


@router.get("/parcels/{parcel_id}", name="easypost.parcel.retrieve")
async def retrieve_parcel(request: Request, parcel_id: str) -> JSONResponse:
    """One parcel."""
    record = sandbox_of(request).store.get(ParcelRecord, parcel_id)
    if record is None:
        raise _not_found("parcel")
    return _json(render.parcel(record))


# -- shipments -----------------------------------------------------------------------------------


def _shipment(sandbox: Sandbox, shipment_id: str) -> ShipmentRecord:
    record = sandbox.store.get(ShipmentRecord, shipment_id)
    if record is None or record.api is not API:
        raise _not_found("shipment")
    return record


def _carriers(data: dict[str, Any]) -> frozenset[Carrier] | None:
    accounts = data.get("carrier_accounts")
    if not accounts:
        return None
    ids = [a.get("id") if isinstance(a, dict) else a for a in accounts]
    unknown = [i for i in ids if i not in _ACCOUNT_CARRIERS]
    if unknown:
        raise parse.invalid("shipment.carrier_accounts", "unknown carrier account")
    return frozenset(_ACCOUNT_CARRIERS[str(i)] for i in ids)


@router.post("/shipments", name="easypost.shipment.create")
async def create_shipment(request: Request) -> JSONResponse:
    """Create a shipment and rate it with every sandbox service that takes its options."""
    sandbox = sandbox_of(request)
    data = parse.obj(await request.json(), "shipment")
    raw_options = data.get("options") or {}
    if not isinstance(raw_options, dict):
        raise parse.invalid("shipment.options", "must be an object")
    options, label_format = parse.options(raw_options)
    record = sandbox.add_shipment(
        API,
        from_address=_address_from(sandbox, parse.obj(data, "from_address")),
        to_address=_address_from(sandbox, parse.obj(data, "to_address")),
        parcel=_parcel_from(sandbox, parse.obj(data, "parcel")),
        options=options,
        label_format=label_format,
        raw_options={**raw_options, "label_format": label_format.value},
        carriers=_carriers(data),
        reference=parse.text(data.get("reference")),
    )
    return _json(render.shipment(record, sandbox.store, sandbox.clock.now(), _base(request)), 201)


@router.get("/shipments/{shipment_id}", name="easypost.shipment.retrieve")
async def retrieve_shipment(request: Request, shipment_id: str) -> JSONResponse:
    """One shipment; after a purchase it shows the label, tracking code and tracker."""
    sandbox = sandbox_of(request)
    record = _shipment(sandbox, shipment_id)
    return _json(render.shipment(record, sandbox.store, sandbox.clock.now(), _base(request)))


@router.post("/shipments/{shipment_id}/buy", name="easypost.shipment.buy")
async def buy_shipment(request: Request, shipment_id: str) -> JSONResponse:
    """Buy the label for ``rate.id``; a second buy is a 422 ``SHIPMENT.POSTAGE.EXISTS``."""
    sandbox = sandbox_of(request)
    body = await request.json()
    rate = parse.obj(body, "rate")
    insurance = body.get("insurance")
    record = sandbox.buy(
        _shipment(sandbox, shipment_id),
        str(rate.get("id")),
        insurance=parse.money(insurance, "insurance") if insurance not in (None, "") else None,
    )
    return _json(render.shipment(record, sandbox.store, sandbox.clock.now(), _base(request)))


@router.post("/shipments/{shipment_id}/refund", name="easypost.shipment.refund")
async def refund_shipment(request: Request, shipment_id: str) -> JSONResponse:
    """Ask for a refund of the shipment's label: ``refund_status`` becomes ``submitted``."""
    sandbox = sandbox_of(request)
    sandbox.refund(_shipment(sandbox, shipment_id))
    record = _shipment(sandbox, shipment_id)
    return _json(render.shipment(record, sandbox.store, sandbox.clock.now(), _base(request)))


# -- trackers ------------------------------------------------------------------------------------


@router.post("/trackers", name="easypost.tracker.create")
async def create_tracker(request: Request) -> JSONResponse:
    """Track a code: a sandbox label's code, an EasyPost test code (EZ...), or any other."""
    sandbox = sandbox_of(request)
    data = parse.obj(await request.json(), "tracker")
    code = parse.text(data.get("tracking_code"))
    if code is None:
        raise parse.invalid("tracker.tracking_code", "is required", "PARAMETER.REQUIRED")
    record = sandbox.trackers.for_code(API, code, parse.text(data.get("carrier")))
    return _json(render.tracker(record, sandbox.clock.now(), _base(request)))


@router.get("/trackers/{tracker_id}", name="easypost.tracker.retrieve")
async def retrieve_tracker(request: Request, tracker_id: str) -> JSONResponse:
    """One tracker as of the sandbox clock."""
    sandbox = sandbox_of(request)
    record = sandbox.store.get(TrackerRecord, tracker_id)
    if record is None or record.api is not API:
        raise _not_found("tracker")
    return _json(render.tracker(record, sandbox.clock.now(), _base(request)))


@router.get("/trackers", name="easypost.tracker.list")
async def list_trackers(request: Request) -> JSONResponse:
    """Trackers, optionally only those of ``tracking_code``."""
    sandbox = sandbox_of(request)
    code = request.query_params.get("tracking_code")
    now, base = sandbox.clock.now(), _base(request)
    found = [
        render.tracker(t, now, base)
        for t in sandbox.store.all(TrackerRecord)
        if t.api is API and (code is None or t.tracking_code == code)
    ]
    return _json({"trackers": found, "has_more": False})


# -- refunds and webhooks --------------------------------------------------------------------------


@router.post("/refunds", name="easypost.refund.create")
async def create_refunds(request: Request) -> JSONResponse:
    """Refund labels by tracking code; one Refund per code."""
    sandbox = sandbox_of(request)
    data = parse.obj(await request.json(), "refund")
    codes = data.get("tracking_codes") or []
    by_code = {
        s.purchase.tracking_code: s
        for s in sandbox.store.all(ShipmentRecord)
        if s.api is API and s.purchase is not None
    }
    refunds: list[RefundRecord] = []
    for code in codes:
        found = by_code.get(str(code))
        if found is None:
            raise parse.invalid("refund.tracking_codes", "no label has this tracking code")
        refunds.append(sandbox.refund(found))
    return _json([render.refund(r) for r in refunds], 201)


@router.post("/webhooks", name="easypost.webhook.create")
async def create_webhook(request: Request) -> JSONResponse:
    """Register a URL for tracker events, signed with ``webhook_secret`` when given."""
    sandbox = sandbox_of(request)
    data = parse.obj(await request.json(), "webhook")
    url = parse.text(data.get("url"))
    if url is None:
        raise parse.invalid("webhook.url", "is required", "PARAMETER.REQUIRED")
    record = WebhookRecord(
        id=new_id(API, "hook"),
        api=API,
        created_at=sandbox.clock.now(),
        url=url,
        secret=parse.text(data.get("webhook_secret")),
    )
    sandbox.store.put(record)
    return _json(render.webhook(record), 201)


@router.get("/webhooks", name="easypost.webhook.list")
async def list_webhooks(request: Request) -> JSONResponse:
    """Registered webhooks."""
    hooks = [w for w in sandbox_of(request).store.all(WebhookRecord) if w.api is API]
    return _json({"webhooks": [render.webhook(w) for w in hooks]})
