"""Map finalmile errors onto HTTP responses with a stable JSON body.

Every error answers ``{"error": {"code", "message"[, "location"]}}``: 401/403 ``unauthorized``,
404 ``not_found``, 422 for invalid content (``InputError``, its own code) and refusals
(``refused``), 409 for a conflict with a record's state (``ConflictError``, its own code), 503
``unavailable``.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from finalmile.errors import (
    AuthError,
    ConflictError,
    ErrorCode,
    InputError,
    NotFoundError,
    PermanentError,
    RetriableError,
)


def install_error_handlers(app: FastAPI) -> None:
    """Register handlers so domain errors never surface as 500s."""

    @app.exception_handler(AuthError)
    async def _auth(_request: Request, exc: AuthError) -> JSONResponse:
        headers = {"WWW-Authenticate": "APIKey"} if exc.status_code == 401 else None
        return JSONResponse(
            {"error": {"code": ErrorCode.UNAUTHORIZED, "message": str(exc)}},
            exc.status_code,
            headers,
        )

    @app.exception_handler(NotFoundError)
    async def _not_found(_request: Request, exc: NotFoundError) -> JSONResponse:
        return JSONResponse({"error": {"code": ErrorCode.NOT_FOUND, "message": str(exc)}}, 404)

    @app.exception_handler(InputError)
    async def _input(_request: Request, exc: InputError) -> JSONResponse:
        body = {"code": exc.code, "message": exc.message, "location": exc.location}
        return JSONResponse({"error": body}, 422)

    @app.exception_handler(ConflictError)
    async def _conflict(_request: Request, exc: ConflictError) -> JSONResponse:
        body = {"code": exc.code, "message": exc.message, "location": exc.location}
        return JSONResponse({"error": body}, 409)

    @app.exception_handler(RetriableError)
    async def _retry(_request: Request, exc: RetriableError) -> JSONResponse:
        return JSONResponse(
            {"error": {"code": ErrorCode.UNAVAILABLE, "message": str(exc)}},
            503,
            {"Retry-After": "5"},
        )

    @app.exception_handler(PermanentError)
    async def _refused(_request: Request, exc: PermanentError) -> JSONResponse:
        return JSONResponse({"error": {"code": ErrorCode.REFUSED, "message": str(exc)}}, 422)
