"""Map every error onto HTTP responses with one stable JSON body.

Every 4xx and 5xx answers ``{"error": {"code", "message", "location"}}`` (``location`` may be
null): 401/403 ``unauthorized``, 404 ``not_found``, 413 ``too_large``, 422 for invalid content
(``InputError``, its own code; request validation: ``required`` or ``invalid`` at
``query.limit``-style locations; ``too_deep`` JSON) and refusals (``refused``), 409 for a conflict
with a record's state (``ConflictError``, its own code), 503 ``unavailable``, and 500
``internal_error`` for a bug: logged with its type and frames, never its message, and the body
says nothing about it.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from finalmile.api.limits import BodyRefused
from finalmile.errors import (
    AuthError,
    ConflictError,
    ErrorCode,
    InputError,
    NotFoundError,
    PermanentError,
    RetriableError,
)

log = structlog.get_logger(__name__)

_HTTP_CODES = {
    401: ErrorCode.UNAUTHORIZED,
    403: ErrorCode.UNAUTHORIZED,
    404: ErrorCode.NOT_FOUND,
    413: ErrorCode.TOO_LARGE,
    503: ErrorCode.UNAVAILABLE,
}


class ErrorDetail(BaseModel):
    """What went wrong and where, in words an operator can act on (never a patient's data)."""

    code: str
    message: str
    location: str | None = None


class ErrorBody(BaseModel):
    """The body of every 4xx and 5xx answer."""

    error: ErrorDetail


def _documented(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


#: The answers any operation may give, in the one error shape (routes add their own).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _documented("no valid API key or webhook signature"),
    403: _documented("the key lacks the scope"),
    404: _documented("no such record (order, message, plan, account...)"),
    409: _documented("the record's state forbids it"),
    413: _documented("the body is larger than the limit"),
    422: _documented("invalid content or request, located"),
    500: _documented("a bug: logged, nothing about it in the body"),
    503: _documented("storage or a carrier is unavailable; try again"),
}


def error_response(
    status: int,
    code: StrEnum | str,
    message: str,
    location: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """An answer in the one error shape."""
    body = {"code": str(code), "message": message, "location": location}
    return JSONResponse({"error": body}, status, headers)


def _validation_location(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc)


def install_error_handlers(app: FastAPI) -> None:
    """Register handlers so every error answers in the one shape and bad input never 500s."""

    @app.exception_handler(AuthError)
    async def _auth(_request: Request, exc: AuthError) -> JSONResponse:
        headers = {"WWW-Authenticate": "APIKey"} if exc.status_code == 401 else None
        return error_response(exc.status_code, ErrorCode.UNAUTHORIZED, str(exc), None, headers)

    @app.exception_handler(NotFoundError)
    async def _not_found(_request: Request, exc: NotFoundError) -> JSONResponse:
        return error_response(404, ErrorCode.NOT_FOUND, str(exc))

    @app.exception_handler(InputError)
    async def _input(_request: Request, exc: InputError) -> JSONResponse:
        return error_response(422, exc.code, exc.message, exc.location)

    @app.exception_handler(ConflictError)
    async def _conflict(_request: Request, exc: ConflictError) -> JSONResponse:
        return error_response(409, exc.code, exc.message, exc.location)

    @app.exception_handler(RetriableError)
    async def _retry(_request: Request, exc: RetriableError) -> JSONResponse:
        return error_response(503, ErrorCode.UNAVAILABLE, str(exc), None, {"Retry-After": "5"})

    @app.exception_handler(PermanentError)
    async def _refused(_request: Request, exc: PermanentError) -> JSONResponse:
        return error_response(422, ErrorCode.REFUSED, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # The first problem, located; pydantic's ``input`` (the value sent) is never echoed.
        first = exc.errors()[0] if exc.errors() else {}
        code = ErrorCode.REQUIRED if first.get("type") == "missing" else ErrorCode.INVALID
        location = _validation_location(tuple(first.get("loc", ())))
        return error_response(422, code, str(first.get("msg", "invalid request")), location or None)

    @app.exception_handler(HTTPException)
    async def _http(_request: Request, exc: HTTPException) -> JSONResponse:
        if isinstance(exc, BodyRefused):
            return error_response(exc.status_code, exc.code, str(exc.detail), "body")
        if exc.status_code == 400:  # FastAPI could not parse the body: invalid content, located
            return error_response(422, ErrorCode.INVALID, "the body cannot be parsed", "body")
        code = _HTTP_CODES.get(exc.status_code, ErrorCode.INVALID)
        return error_response(exc.status_code, code, str(exc.detail), None, exc.headers)

    @app.exception_handler(Exception)
    async def _bug(_request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled_error", error=type(exc).__name__, exc_info=exc)
        return error_response(500, ErrorCode.INTERNAL_ERROR, "internal error; see the server log")
