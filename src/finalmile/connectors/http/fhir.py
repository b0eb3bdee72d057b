"""``POST /fhir/r4`` (and ``/fhir/r4/MedicationDispense``, ``/fhir/r4/Bundle``): FHIR R4 intake.

Answers follow FHIR R4's RESTful API: a transaction or batch Bundle gets a
``transaction-response``/``batch-response`` Bundle with one entry per request entry; a lone
MedicationDispense gets 201 (order created) or 200 with an OperationOutcome; content that is not
FHIR JSON gets 400 and content that does not validate or map gets 422, each with an
OperationOutcome whose ``expression`` is the failing FHIR path. 503 with ``Retry-After`` means
"send again later". The payload is stored in every case but 400/415/413 (kept for replay).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse

from finalmile.adapters.fhir import FhirErrorCode, operation_outcome
from finalmile.auth import Scope
from finalmile.config import Settings
from finalmile.connectors.codes import ConnectorCode
from finalmile.connectors.http import IntakeDep, SettingsDep
from finalmile.deps import require
from finalmile.errors import InputError
from finalmile.intake import IntakeService, Outcome, OutcomeKind
from finalmile.jsonlimits import MAX_JSON_DEPTH, DepthGauge

router = APIRouter(tags=["fhir"])

FHIR_JSON = "application/fhir+json"
_ACCEPTED_TYPES = (FHIR_JSON, "application/json", "application/json+fhir")
_NOT_FHIR = frozenset(
    {
        FhirErrorCode.INVALID_ENCODING,
        FhirErrorCode.INVALID_JSON,
        FhirErrorCode.UNSUPPORTED_RESOURCE,
        FhirErrorCode.UNSUPPORTED_BUNDLE_TYPE,
    }
)
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "committed (transaction-response Bundle or OperationOutcome)"},
    201: {"description": "a lone MedicationDispense created a new order"},
    400: {"description": "not a FHIR R4 Bundle or MedicationDispense (OperationOutcome)"},
    413: {"description": "body larger than the limit"},
    415: {"description": "Content-Type is not application/fhir+json"},
    422: {"description": "invalid content, kept for replay (OperationOutcome with the path)"},
    503: {"description": "not processed now; send again later"},
}


async def _receive(
    request: Request,
    settings: Settings,
    intake: IntakeService,
    *,
    connector: str | None,
    content_type: str | None,
    expected: str | None,
) -> JSONResponse:
    media = (content_type or "").split(";")[0].strip().lower()
    if media not in _ACCEPTED_TYPES:
        return _outcome(
            415,
            InputError(f"send Content-Type {FHIR_JSON}", code=FhirErrorCode.UNSUPPORTED_RESOURCE),
        )
    raw = await request.body()
    limit = settings.mllp_max_frame_bytes
    if len(raw) > limit:
        return _outcome(
            413, InputError(f"the body exceeds {limit} bytes", code=ConnectorCode.TOO_LARGE)
        )
    request_json = _peek(raw)
    kind = request_json.get("resourceType") if request_json else None
    if expected is not None and request_json is not None and kind != expected:
        error = InputError(
            f"this endpoint takes a {expected}; POST other resources to /fhir/r4",
            location="resourceType",
            code=FhirErrorCode.UNSUPPORTED_RESOURCE,
        )
        return _outcome(400, error)
    name = connector or settings.connector
    reply = await intake.receive_fhir(raw, connector=name)
    return _answer(reply.outcome, request_json)


def _answer(outcome: Outcome, request_json: dict[str, Any] | None) -> JSONResponse:
    if outcome.kind is OutcomeKind.RETRY:
        body = _issues("transient", "transient", outcome.retry_reason or "try again later")
        return _json(503, body, headers={"Retry-After": "5"})
    if outcome.error is not None:
        status = 400 if outcome.error.code in _NOT_FHIR else 422
        return _outcome(status, outcome.error)
    if outcome.kind is OutcomeKind.DUPLICATE:
        text = f"already received as message {outcome.duplicate_of}; nothing changed"
        return _json(200, _issues("information", "duplicate", text))
    actions = dict(zip(outcome.order_ids, outcome.actions, strict=True))
    bundle_type = request_json.get("type") if request_json else None
    if (
        request_json
        and request_json.get("resourceType") == "Bundle"
        and bundle_type != "collection"
    ):
        return _json(200, _response_bundle(request_json, outcome, f"{bundle_type}-response"))
    created = any(action == "created" for action in actions.values())
    text = "; ".join(f"order {order}: {action}" for order, action in actions.items())
    return _json(201 if created else 200, _issues("information", "informational", text))


def _response_bundle(request_json: dict[str, Any], outcome: Outcome, type_: str) -> dict[str, Any]:
    """One response per request entry; dispenses in entry order match the outcome's orders."""
    results = iter(zip(outcome.order_ids, outcome.actions, strict=True))
    entries = []
    for entry in request_json.get("entry") or []:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        kind = resource.get("resourceType") if isinstance(resource, dict) else None
        response: dict[str, Any] = {"status": "200 OK"}
        if kind == "MedicationDispense":
            order_id, action = next(results, ("", "unchanged"))
            response = {
                "status": "201 Created" if action == "created" else "200 OK",
                "location": f"MedicationDispense/{order_id}",
            }
        entries.append({"response": response})
    return {"resourceType": "Bundle", "type": type_, "entry": entries}


def _peek(raw: bytes) -> dict[str, Any] | None:
    if DepthGauge().feed(raw) > MAX_JSON_DEPTH:
        return None  # intake refuses it, located, before parsing
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _issues(severity: str, code: str, text: str) -> dict[str, Any]:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": code, "diagnostics": text}],
    }


def _outcome(status: int, error: InputError) -> JSONResponse:
    return _json(status, operation_outcome([error]))


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=FHIR_JSON, headers=headers)


ConnectorQuery = Annotated[
    str | None, Query(description="connector name; default: the default connector")
]
ContentType = Annotated[str | None, Header()]
_WRITE = [Depends(require(Scope.ORDERS_WRITE))]


@router.post("/fhir/r4", dependencies=_WRITE, responses=_RESPONSES)
async def post_fhir(
    request: Request,
    intake: IntakeDep,
    settings: SettingsDep,
    connector: ConnectorQuery = None,
    content_type: ContentType = None,
) -> JSONResponse:
    """Receive a Bundle (transaction, batch, collection) or a MedicationDispense."""
    return await _receive(
        request, settings, intake, connector=connector, content_type=content_type, expected=None
    )


@router.post("/fhir/r4/MedicationDispense", dependencies=_WRITE, responses=_RESPONSES)
async def post_medication_dispense(
    request: Request,
    intake: IntakeDep,
    settings: SettingsDep,
    connector: ConnectorQuery = None,
    content_type: ContentType = None,
) -> JSONResponse:
    """Receive one MedicationDispense (FHIR ``create``)."""
    return await _receive(
        request,
        settings,
        intake,
        connector=connector,
        content_type=content_type,
        expected="MedicationDispense",
    )


@router.post("/fhir/r4/Bundle", dependencies=_WRITE, responses=_RESPONSES)
async def post_bundle(
    request: Request,
    intake: IntakeDep,
    settings: SettingsDep,
    connector: ConnectorQuery = None,
    content_type: ContentType = None,
) -> JSONResponse:
    """Receive one Bundle of type transaction, batch or collection."""
    return await _receive(
        request, settings, intake, connector=connector, content_type=content_type, expected="Bundle"
    )
