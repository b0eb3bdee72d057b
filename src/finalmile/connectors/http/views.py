"""``POST /hl7/v2``: one HL7 v2 message per request; the ACK is the response body.

The HTTP status mirrors the acknowledgement so HTTP-minded senders need not parse it:
200 with AA (or a repeated AA for a resend), 422 with AE, 503 with AR and ``Retry-After``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from finalmile.auth import Scope
from finalmile.connectors.http import IntakeDep, SettingsDep
from finalmile.deps import require
from finalmile.intake import OutcomeKind

router = APIRouter(tags=["hl7"])

HL7_MEDIA_TYPE = "x-application/hl7-v2+er7"
MAX_BODY_BYTES = 1_048_576


@router.post(
    "/hl7/v2",
    dependencies=[Depends(require(Scope.ORDERS_WRITE))],
    response_class=Response,
    responses={
        200: {"description": "AA: committed", "content": {HL7_MEDIA_TYPE: {}}},
        204: {"description": "enhanced mode asked for no acknowledgement"},
        413: {"description": "message larger than the limit"},
        422: {
            "description": "AE: rejected for its content (kept for replay)",
            "content": {HL7_MEDIA_TYPE: {}},
        },
        503: {
            "description": "AR: not processed now; send again later",
            "content": {HL7_MEDIA_TYPE: {}},
        },
    },
)
async def post_hl7(
    request: Request,
    intake: IntakeDep,
    settings: SettingsDep,
    connector: Annotated[
        str | None, Query(description="connector name; default: the default connector")
    ] = None,
) -> Response:
    """Receive one HL7 v2 message (ER7, any MSH-18 charset) and answer with its ACK."""
    raw = await request.body()
    if len(raw) > settings.mllp_max_frame_bytes:
        return Response(
            status_code=413,
            content=f"message exceeds {settings.mllp_max_frame_bytes} bytes",
        )
    name = connector or settings.connector
    reply = await intake.receive_hl7(raw, connector=name)
    if not reply.acks:
        return Response(status_code=204)
    status = {OutcomeKind.RETRY: 503}.get(
        reply.outcome.kind, 200 if reply.outcome.durable_success else 422
    )
    headers = {"Retry-After": "5"} if status == 503 else None
    # Enhanced mode may give a commit ACK then an application ACK: the last carries the verdict.
    return Response(
        content=reply.acks[-1], status_code=status, media_type=HL7_MEDIA_TYPE, headers=headers
    )
