"""The Shippo endpoints finalmile uses, mounted under ``/shippo``.

Auth is ``Authorization: ShippoToken <key>``. Status codes are exactly the ones the shippo 3.9 SDK
expects per call (201 for creations except ``POST /tracks``, which is 200); anything else makes the
SDK raise ``SDKError``. Label purchases default to asynchronous like Shippo's: the transaction is
``QUEUED`` in the creation answer and ``SUCCESS`` from the first read on.
"""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from finalmile_sandbox.catalogue import Carrier
from finalmile_sandbox.engine import Sandbox
from finalmile_sandbox.errors import SandboxError
from finalmile_sandbox.injection import inject
from finalmile_sandbox.records import (
    AddressRecord,
    Api,
    ParcelRecord,
    Record,
    RefundRecord,
    ShipmentRecord,
    TrackerRecord,
    TransactionRecord,
)
from finalmile_sandbox.shippo import parse, render
from finalmile_sandbox.store import new_id

API = Api.SHIPPO
_ACCOUNT_CARRIERS = {account: carrier for carrier, account in render.CARRIER_ACCOUNTS.items()}
_CARRIER_TOKENS = {carrier.token: carrier for carrier in Carrier}
R = TypeVar("R", bound=Record)


def sandbox_of(request: Request) -> Sandbox:
    """The sandbox serving this request."""
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox


def api_key(request: Request) -> str | None:
    """The key from ``Authorization: ShippoToken <key>``."""
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    return key.strip() or None if scheme == "ShippoToken" else None


async def _gate(request: Request) -> None:
    key = api_key(request)
    if key is None:
        raise SandboxError(401, "UNAUTHORIZED", "Invalid token.")
    await inject(request, faults=sandbox_of(request).faults, api=API, key=key)


router = APIRouter(prefix="/shippo", dependencies=[Depends(_gate)])


def _json(body: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status)


def _not_found() -> SandboxError:
    return SandboxError(404, "NOT_FOUND", "Not found.")


def _get(record: R | None) -> R:
    if record is None or record.api is not API:
        raise _not_found()
    return record


def _page(results: list[dict[str, Any]]) -> dict[str, Any]:
    return {"next": None, "previous": None, "results": results}


# -- addresses and parcels -----------------------------------------------------------------------


def _address_from(sandbox: Sandbox, value: Any, field: str) -> AddressRecord:
    if isinstance(value, str):
        return _get(sandbox.store.get(AddressRecord, value))
    if not isinstance(value, dict):
        raise parse.invalid(field, "This field is required.")
    return sandbox.add_address(API, parse.address_fields(value), verify=False)


@router.post("/addresses", name="shippo.address.create")
async def create_address(request: Request) -> JSONResponse:
    """Create an address, validated when ``validate`` is true."""
    data = parse.body_object(await request.json())
    record = sandbox_of(request).add_address(
        API, parse.address_fields(data), verify=bool(data.get("validate"))
    )
    return _json(render.address(record), 201)


@router.get("/addresses/{address_id}", name="shippo.address.get")
async def get_address(request: Request, address_id: str) -> JSONResponse:
    """One address."""
    return _json(render.address(_get(sandbox_of(request).store.get(AddressRecord, address_id))))


@router.get("/addresses/{address_id}/validate", name="shippo.address.validate")
async def validate_address(request: Request, address_id: str) -> JSONResponse:
    """Validate a stored address; the answer is 200 with ``validation_results.is_valid``."""
    sandbox = sandbox_of(request)
    record = sandbox.verify_address(_get(sandbox.store.get(AddressRecord, address_id)))
    return _json(render.address(record))


def _parcel_from(sandbox: Sandbox, value: Any) -> ParcelRecord:
    if isinstance(value, str):
        return _get(sandbox.store.get(ParcelRecord, value))
    if not isinstance(value, dict):
        raise parse.invalid("parcels", "This field is required.")
    return sandbox.add_parcel(API, **parse.parcel_dimensions(value))


@router.post("/parcels", name="shippo.parcel.create")
async def create_parcel(request: Request) -> JSONResponse:
    """Create a parcel in any of Shippo's units."""
    data = parse.body_object(await request.json())
    return _json(render.parcel(_parcel_from(sandbox_of(request), data)), 201)


@router.get("/parcels/{parcel_id}", name="shippo.parcel.get")
async def get_parcel(request: Request, parcel_id: str) -> JSONResponse:
    """One parcel."""
    return _json(render.parcel(_get(sandbox_of(request).store.get(ParcelRecord, parcel_id))))


# -- shipments and rates -------------------------------------------------------------------------


def _carriers(data: dict[str, Any]) -> frozenset[Carrier] | None:
    accounts = data.get("carrier_accounts") or []
    if not accounts:
        return None
    if any(a not in _ACCOUNT_CARRIERS for a in accounts):
        raise parse.invalid("carrier_accounts", "unknown carrier account")
    return frozenset(_ACCOUNT_CARRIERS[a] for a in accounts)


@router.post("/shipments", name="shippo.shipment.create")
async def create_shipment(request: Request) -> JSONResponse:
    """Create a shipment (one parcel) and rate it."""
    sandbox = sandbox_of(request)
    data = parse.body_object(await request.json())
    parcels = data.get("parcels")
    if not isinstance(parcels, list) or len(parcels) != 1:
        raise parse.invalid("parcels", "the sandbox rates exactly one parcel per shipment")
    extra = data.get("extra") or {}
    if not isinstance(extra, dict):
        raise parse.invalid("extra", "must be an object")
    record = sandbox.add_shipment(
        API,
        from_address=_address_from(sandbox, data.get("address_from"), "address_from"),
        to_address=_address_from(sandbox, data.get("address_to"), "address_to"),
        parcel=_parcel_from(sandbox, parcels[0]),
        options=parse.extra_options(extra),
        raw_options=extra,
        carriers=_carriers(data),
        metadata=parse.text(data.get("metadata")),
    )
    return _json(render.shipment(record, sandbox.store), 201)


@router.get("/shipments/{shipment_id}", name="shippo.shipment.get")
async def get_shipment(request: Request, shipment_id: str) -> JSONResponse:
    """One shipment with its rates."""
    sandbox = sandbox_of(request)
    record = _get(sandbox.store.get(ShipmentRecord, shipment_id))
    return _json(render.shipment(record, sandbox.store))


@router.get("/shipments/{shipment_id}/rates", name="shippo.shipment.rates")
async def list_shipment_rates(request: Request, shipment_id: str) -> JSONResponse:
    """A shipment's rates as a page."""
    record = _get(sandbox_of(request).store.get(ShipmentRecord, shipment_id))
    return _json(_page([render.rate(rate, record) for rate in record.rates]))


@router.get("/rates/{rate_id}", name="shippo.rate.get")
async def get_rate(request: Request, rate_id: str) -> JSONResponse:
    """One rate."""
    shipment = _get(sandbox_of(request).store.shipment_of_rate(rate_id))
    rate = shipment.rate(rate_id)
    assert rate is not None
    return _json(render.rate(rate, shipment))


# -- transactions --------------------------------------------------------------------------------


def _read(sandbox: Sandbox, record: TransactionRecord) -> TransactionRecord:
    """A read completes a queued purchase (the label was committed at creation)."""
    if record.status != "QUEUED":
        return record
    done = record.model_copy(update={"status": "SUCCESS"})
    sandbox.store.put(done)
    return done


@router.post("/transactions", name="shippo.transaction.create")
async def create_transaction(request: Request) -> JSONResponse:
    """Buy the label of ``rate``; ``async`` (default true) answers QUEUED."""
    sandbox = sandbox_of(request)
    data = parse.body_object(await request.json())
    rate_id = parse.text(data.get("rate"))
    if rate_id is None:
        raise parse.invalid("rate", "This field is required.")
    shipment = sandbox.store.shipment_of_rate(rate_id)
    if shipment is None or shipment.api is not API:
        raise parse.invalid("rate", "Rate not found.")
    asynchronous = data.get("async", True) is not False
    record = TransactionRecord(
        id=new_id(API, "tx"),
        api=API,
        created_at=sandbox.clock.now(),
        rate_id=rate_id,
        shipment_id=shipment.id,
        status="QUEUED" if asynchronous else "SUCCESS",
        asynchronous=asynchronous,
        metadata=parse.text(data.get("metadata")),
    )
    sandbox.buy(
        shipment,
        rate_id,
        insurance=parse.insurance(shipment.options),
        transaction_id=record.id,
        label_format=parse.label_format(data.get("label_file_type")),
    )
    sandbox.store.put(record)
    body = render.transaction(record, sandbox.store, sandbox.clock.now(), str(request.base_url))
    return _json(body, 201)


@router.get("/transactions/{transaction_id}", name="shippo.transaction.get")
async def get_transaction(request: Request, transaction_id: str) -> JSONResponse:
    """One transaction (a queued one is complete from here on)."""
    sandbox = sandbox_of(request)
    record = _read(sandbox, _get(sandbox.store.get(TransactionRecord, transaction_id)))
    return _json(
        render.transaction(record, sandbox.store, sandbox.clock.now(), str(request.base_url))
    )


@router.get("/transactions", name="shippo.transaction.list")
async def list_transactions(request: Request) -> JSONResponse:
    """Transactions, filtered by ``rate`` and ``object_status`` (reconciliation looks here)."""
    sandbox = sandbox_of(request)
    rate = request.query_params.get("rate")
    wanted_status = request.query_params.get("object_status")
    now, base = sandbox.clock.now(), str(request.base_url)
    found = []
    for stored in list(sandbox.store.all(TransactionRecord)):
        if stored.api is not API or (rate is not None and stored.rate_id != rate):
            continue
        record = _read(sandbox, stored)
        if wanted_status is None or record.status == wanted_status:
            found.append(render.transaction(record, sandbox.store, now, base))
    return _json(_page(found))


# -- tracks and refunds --------------------------------------------------------------------------


def _track(request: Request, carrier: str, tracking_number: str) -> JSONResponse:
    sandbox = sandbox_of(request)
    known = _CARRIER_TOKENS.get(carrier.lower())
    if known is None and carrier.lower() != "shippo":
        raise parse.invalid("carrier", "unknown carrier")
    record: TrackerRecord = sandbox.trackers.for_code(
        API, tracking_number, known.value if known else "shippo"
    )
    return _json(render.track(record, sandbox.clock.now(), sandbox.store))


@router.post("/tracks", name="shippo.track.create")
async def register_track(request: Request) -> JSONResponse:
    """Register a tracking number for webhooks; answers the Track (200, as Shippo does)."""
    data = parse.body_object(await request.json())
    carrier, number = parse.text(data.get("carrier")), parse.text(data.get("tracking_number"))
    if carrier is None or number is None:
        raise parse.invalid("tracking_number" if carrier else "carrier", "This field is required.")
    return _track(request, carrier, number)


@router.get("/tracks/{carrier}/{tracking_number}", name="shippo.track.get")
async def get_track(request: Request, carrier: str, tracking_number: str) -> JSONResponse:
    """The tracking status and history of a tracking number."""
    return _track(request, carrier, tracking_number)


@router.post("/refunds", name="shippo.refund.create")
async def create_refund(request: Request) -> JSONResponse:
    """Refund a transaction's label."""
    sandbox = sandbox_of(request)
    data = parse.body_object(await request.json())
    transaction = sandbox.store.get(TransactionRecord, parse.text(data.get("transaction")) or "")
    if transaction is None or transaction.api is not API:
        raise parse.invalid("transaction", "Transaction not found.")
    shipment = _get(sandbox.store.get(ShipmentRecord, transaction.shipment_id))
    refund = sandbox.refund(shipment).model_copy(update={"status": "QUEUED"})
    sandbox.store.put(refund)
    sandbox.store.put(transaction.model_copy(update={"status": "REFUNDPENDING"}))
    return _json(render.refund(refund), 201)


@router.get("/refunds/{refund_id}", name="shippo.refund.get")
async def get_refund(request: Request, refund_id: str) -> JSONResponse:
    """One refund."""
    return _json(render.refund(_get(sandbox_of(request).store.get(RefundRecord, refund_id))))
