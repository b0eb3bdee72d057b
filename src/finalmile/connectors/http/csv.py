"""``POST /csv``: upload one CSV file (multipart) for a connector.

The answer lists every order committed and every rejected row with its line and column: 200
when every row went through (or the same content was processed before), 422 when some rows
were rejected (the others are committed; the rejected ones are kept for correction and replay)
or the file cannot be read, 503 when some orders could not be stored now (send the file again:
what was committed is recognised and not doubled).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import JSONResponse

from finalmile.auth import Scope
from finalmile.connectors.http import FilesDep, SettingsDep
from finalmile.deps import require
from finalmile.intake import CsvMessage, Outcome, OutcomeKind

router = APIRouter(tags=["csv"])


@router.post(
    "/csv",
    dependencies=[Depends(require(Scope.ORDERS_WRITE))],
    responses={
        200: {"description": "every row committed, or this content was processed before"},
        422: {"description": "rows rejected (listed with line and column) or unreadable file"},
        503: {"description": "some orders could not be stored now; send the file again"},
    },
)
def post_csv(
    files: FilesDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="the CSV file")],
    connector: Annotated[
        str | None, Query(description="connector name; default: the default connector")
    ] = None,
) -> JSONResponse:
    """Ingest an uploaded CSV file under the connector's CSV profile."""
    orders: list[dict[str, Any]] = []
    rejected: list[dict[str, Any]] = []

    def collect(message: CsvMessage, outcome: Outcome) -> None:
        if message.rejections:
            rejected.extend(
                {
                    "line": row.line,
                    "order_id": row.order_id,
                    "location": row.error.location,
                    "code": row.error.code,
                    "error": row.error.message,
                    "message_id": outcome.message_id,
                }
                for row in message.rejections
            )
        elif outcome.error is not None:  # a resend of a rejected order, or a length limit
            rejected.append(
                {
                    "line": None,
                    "order_id": None,
                    "location": outcome.error.location,
                    "code": outcome.error.code,
                    "error": outcome.error.message,
                    "message_id": outcome.message_id,
                }
            )
        elif outcome.kind is not OutcomeKind.RETRY:
            orders.extend(
                {"order_id": order_id, "action": action, "message_id": outcome.message_id}
                for order_id, action in zip(outcome.order_ids, outcome.actions, strict=True)
            )

    summary = files.ingest_csv(
        file.file,
        connector=connector or settings.connector,
        name=file.filename or "upload.csv",
        on_result=collect,
    )
    body: dict[str, Any] = {
        "file_id": summary.file_id,
        "sha256": summary.sha256,
        "status": summary.status.value,
        "already_processed": summary.already_processed,
        "accepted": summary.accepted,
        "duplicates": summary.duplicate,
        "rejected_rows": summary.rejected_rows,
        "retry": summary.retry,
        "orders": orders,
        "rejected": rejected,
    }
    if summary.error is not None:
        error = summary.error
        body["error"] = {"location": error.location, "code": error.code, "error": error.message}
    status = 503 if summary.retry else (200 if summary.clean else 422)
    return JSONResponse(
        body, status_code=status, headers={"Retry-After": "5"} if summary.retry else None
    )
