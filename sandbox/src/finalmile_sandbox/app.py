"""The sandbox ASGI app: EasyPost under ``/easypost/v2``, Shippo under ``/shippo``, controls under
``/_sandbox``, label files under ``/files``."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp

from finalmile_sandbox import admin
from finalmile_sandbox.easypost import render as easypost_render
from finalmile_sandbox.easypost.views import router as easypost_router
from finalmile_sandbox.engine import Sandbox
from finalmile_sandbox.errors import ConnectionDroppedError, SandboxError
from finalmile_sandbox.injection import FaultMiddleware
from finalmile_sandbox.shippo import render as shippo_render
from finalmile_sandbox.shippo.views import router as shippo_router
from finalmile_sandbox.webhooks import WebhookDispatcher

#: How often a running sandbox sends the tracker events that became due (real seconds).
TICK_SECONDS = 1.0


def _error_response(request: Request, error: SandboxError) -> Response:
    if request.url.path.startswith("/shippo"):
        fields = {e["field"]: [e["message"]] for e in error.errors if "field" in e}
        body = shippo_render.error(error.message, fields)
        # Shippo answers invalid requests with 400 where EasyPost uses 422.
        status = 400 if error.status == 422 else error.status
        return JSONResponse(body, status_code=status, headers=error.headers)
    body = easypost_render.error(error.code, error.message, error.errors)
    return JSONResponse(body, status_code=error.status, headers=error.headers)


async def _sandbox_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SandboxError)
    return _error_response(request, exc)


async def _dropped(_request: Request, _exc: Exception) -> Response:
    return Response(status_code=502)  # never reaches the client: its socket is closed


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = "NOT_FOUND" if exc.status_code == 404 else "HTTP_ERROR"
    return _error_response(request, SandboxError(exc.status_code, code, str(exc.detail)))


async def _bad_json(request: Request, _exc: Exception) -> Response:
    return _error_response(
        request, SandboxError(422, "PARAMETER.INVALID", "The request body is not valid JSON")
    )


def create_sandbox_app(
    sandbox: Sandbox | None = None,
    *,
    dispatcher: WebhookDispatcher | None = None,
    base_url: str | None = None,
    tick_seconds: float | None = TICK_SECONDS,
) -> ASGIApp:
    """The sandbox as an ASGI app.

    Args:
        sandbox: the world to serve (default: a fresh in-memory one on real time).
        dispatcher: sends its webhook events (default: a new one).
        base_url: the sandbox's own URL (``http://127.0.0.1:8787/``), used in webhook bodies sent
            by the ticker; without it only clock changes and explicit flushes send events.
        tick_seconds: how often to send due tracker events; None sends them only when the clock
            is moved or ``/_sandbox/webhooks/flush`` is called.
    """
    world = sandbox or Sandbox()
    dispatcher = dispatcher or WebhookDispatcher(world)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        ticker = (
            asyncio.create_task(_tick(dispatcher, base_url, tick_seconds))
            if tick_seconds and base_url
            else None
        )
        yield
        if ticker is not None:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker

    app = FastAPI(title="finalmile carrier sandbox", lifespan=lifespan, docs_url="/_sandbox/docs")
    app.state.sandbox = world
    app.state.dispatcher = dispatcher
    app.include_router(easypost_router)
    app.include_router(shippo_router)
    app.include_router(admin.router)
    app.include_router(admin.files)
    app.add_exception_handler(SandboxError, _sandbox_error)
    app.add_exception_handler(ConnectionDroppedError, _dropped)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(json.JSONDecodeError, _bad_json)
    return FaultMiddleware(app)


async def _tick(dispatcher: WebhookDispatcher, base_url: str, seconds: float) -> None:
    while True:
        await asyncio.sleep(seconds)
        await dispatcher.flush(base_url)
