"""``/orders/{order_id}/temperature-logs`` (upload a logger export) and ``/temperature``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Depends, File, Form, Response, UploadFile, status
from pydantic import BaseModel

from finalmile.auth import Principal, Role, Scope
from finalmile.deps import RowId, provided, require, require_role
from finalmile.errors import InputError
from finalmile.evidence.codes import EvidenceCode
from finalmile.evidence.temperature.layouts.base import ReadOptions
from finalmile.evidence.temperature.layouts.registry import DEFAULT_LAYOUT
from finalmile.evidence.temperature.packing import unpack
from finalmile.evidence.temperature.readings import Unit
from finalmile.evidence.temperature.service import StoredLog, TemperatureService, Upload

router = APIRouter(prefix="/orders/{order_id}", tags=["temperature"])
Reader = Annotated[Principal, Depends(require(Scope.ORDERS_READ))]
Writer = Annotated[Principal, Depends(require_role(Role.DISPATCHER, Role.PHARMACIST))]
Admin = Annotated[Principal, Depends(require(Scope.ADMIN))]
TemperatureDep = Annotated[TemperatureService, Depends(provided(TemperatureService))]
#: Logger exports are small (a week at one reading a minute is ~400 KB); refuse anything huge.
MAX_UPLOAD_BYTES = 8 * 1024 * 1024
#: A logging interval longer than a week is a typo (and past a timedelta's range an overflow).
MAX_INTERVAL_SECONDS = 7 * 86_400


class ReadingOut(BaseModel):
    """One reading in °C."""

    at: dt.datetime
    celsius: float


class TemperatureLogOut(BaseModel):
    """A stored log with the verdict in force, its reasons and figures."""

    id: int
    package: str | None
    layout: str
    logger_id: str | None
    interval_seconds: float
    first_at: dt.datetime
    last_at: dt.datetime
    reading_count: int
    raw_sha256: str
    uploaded_at: dt.datetime
    uploaded_by: str
    verdict: str
    reasons: list[str]
    summary: dict[str, Any]
    limits: dict[str, Any]
    evaluated_at: dt.datetime
    readings: list[ReadingOut] | None = None

    @classmethod
    def of(cls, stored: StoredLog, *, readings: bool = False) -> TemperatureLogOut:
        row, evaluation = stored.row, stored.evaluation
        assert row.id is not None
        return cls(
            **row.model_dump(exclude={"readings", "raw_encrypted", "order_pk"}),
            verdict=evaluation.verdict.value,
            reasons=evaluation.reasons,
            summary=evaluation.summary,
            limits=evaluation.limits,
            evaluated_at=evaluation.evaluated_at,
            readings=[ReadingOut(at=r.at, celsius=r.celsius) for r in unpack(row.readings)]
            if readings
            else None,
        )


class OrderTemperatureOut(BaseModel):
    """An order's temperature record: the verdict (worst of its logs) and each log."""

    order_id: str
    storage: str | None
    verdict: str | None
    logs: list[TemperatureLogOut]


@router.post(
    "/temperature-logs",
    response_model=TemperatureLogOut,
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"description": "this file was uploaded for this order before; nothing changed"},
        422: {"description": "unknown layout or invalid export (every bad line and column)"},
    },
)
def upload_log(
    order_id: str,
    *,
    temperature: TemperatureDep,
    principal: Writer,
    response: Response,
    file: Annotated[UploadFile, File(description="The data logger's export")],
    layout: Annotated[str, Form(description="Export layout (see docs/temperature.md)")] = (
        DEFAULT_LAYOUT
    ),
    unit: Annotated[Unit | None, Form(description="C or F, when the export does not say")] = None,
    timezone: Annotated[
        str | None, Form(description="IANA zone of times without an offset; default the site's")
    ] = None,
    logger_id: Annotated[str | None, Form(max_length=64)] = None,
    interval_seconds: Annotated[float | None, Form(gt=0, le=MAX_INTERVAL_SECONDS)] = None,
    package: Annotated[str | None, Form(max_length=64)] = None,
    connector: str | None = None,
) -> TemperatureLogOut:
    """Store a logger export for the order and judge it against the order's storage class."""
    content = file.file.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        raise InputError(
            f"the file is larger than {MAX_UPLOAD_BYTES // 1024 // 1024} MiB",
            location="file",
            code=EvidenceCode.TOO_LARGE,
        )
    options = ReadOptions(
        zone=_zone(timezone) if timezone else temperature.zone,
        unit=unit,
        logger_id=logger_id,
        interval=dt.timedelta(seconds=interval_seconds) if interval_seconds else None,
    )
    stored = temperature.import_log(
        order_id=order_id,
        connector=connector,
        upload=Upload(content=content, layout=layout, options=options, package=package),
        actor=f"key:{principal.key_prefix}",
    )
    if not stored.created:
        response.status_code = status.HTTP_200_OK
    return TemperatureLogOut.of(stored)


@router.get("/temperature", response_model=OrderTemperatureOut)
def get_temperature(
    order_id: str,
    temperature: TemperatureDep,
    _principal: Reader,
    readings: bool = False,
    connector: str | None = None,
) -> OrderTemperatureOut:
    """The order's temperature verdict and logs (with every reading when ``readings=true``)."""
    record = temperature.for_order(order_id=order_id, connector=connector)
    return OrderTemperatureOut(
        order_id=record.order.order_id,
        storage=record.order.storage.value if record.order.storage else None,
        verdict=record.verdict.value if record.verdict else None,
        logs=[TemperatureLogOut.of(stored, readings=readings) for stored in record.logs],
    )


@router.get("/temperature-logs/{log_id}/raw", response_class=Response)
def get_raw_log(
    order_id: str,
    log_id: RowId,
    temperature: TemperatureDep,
    _principal: Admin,
    connector: str | None = None,
) -> Response:
    """The logger export exactly as uploaded (admin scope: uploads are kept as received)."""
    content = temperature.raw(order_id=order_id, connector=connector, log_id=log_id)
    return Response(
        content,
        media_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="temperature-log-{log_id}.csv"'},
    )


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(
            f"unknown time zone {name!r}", location="timezone", code=EvidenceCode.INVALID_ZONE
        ) from None
