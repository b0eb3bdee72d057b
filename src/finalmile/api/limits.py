"""Request bodies read against limits as they stream: 413 before a large body is buffered.

Every route is covered, the unauthenticated ones (``/webhooks/*``) included: a ``Content-Length``
over the limit is answered at once without reading; a body that grows past it while streaming
(chunked, or a lying length) stops the read with 413. Multipart uploads (CSV files, temperature
logs) have their own, larger limit. JSON bodies are refused with 422 ``too_deep`` as soon as their
nesting passes ``MAX_JSON_DEPTH``, before anything parses them.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from finalmile.errors import ErrorCode
from finalmile.jsonlimits import MAX_JSON_DEPTH, DepthGauge


class BodyRefused(HTTPException):
    """A body over a limit; rendered by the error handlers in the one error shape."""

    def __init__(self, status_code: int, code: ErrorCode, message: str) -> None:
        super().__init__(status_code, message)
        self.code = code


def too_large(limit: int) -> BodyRefused:
    """413: the body is larger than ``limit`` bytes."""
    return BodyRefused(413, ErrorCode.TOO_LARGE, f"the body exceeds {limit} bytes")


class BodyLimits:
    """ASGI middleware bounding every HTTP request body (size, and JSON nesting)."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        media = headers.get("content-type", "").split(";")[0].strip().lower()
        limit = self.max_upload_bytes if media == "multipart/form-data" else self.max_body_bytes
        length = headers.get("content-length", "")
        if length.isascii() and length.isdigit() and int(length) > limit:
            refused = too_large(limit)
            body = {"code": refused.code, "message": refused.detail, "location": "body"}
            await JSONResponse({"error": body}, 413, {"Connection": "close"})(scope, receive, send)
            return
        gauge = DepthGauge() if media.endswith("json") else None
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                chunk: bytes = message.get("body", b"")
                received += len(chunk)
                if received > limit:
                    raise too_large(limit)
                if gauge is not None and gauge.feed(chunk) > MAX_JSON_DEPTH:
                    raise BodyRefused(
                        422, ErrorCode.TOO_DEEP, f"JSON nested deeper than {MAX_JSON_DEPTH} levels"
                    )
            return message

        await self.app(scope, limited, send)
