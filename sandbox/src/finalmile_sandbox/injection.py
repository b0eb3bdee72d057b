"""Apply fault decisions to HTTP exchanges: sleep, refuse, hold the answer, or cut the socket.

``FaultMiddleware`` wraps the whole sandbox app (outermost, so it sees the server's own ``receive``
and can reach the connection's transport); ``inject`` runs inside each API's request dependency,
where the matched route gives the operation name.

Dropping a connection aborts the asyncio transport of the request: the client sees a reset with no
response, exactly what a crashed load balancer looks like. This needs a server whose ``receive`` is
a bound method of an object with a ``transport`` attribute (uvicorn's h11 and httptools protocols);
on another server a drop falls back to a 502 without a body.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from finalmile_sandbox.errors import ConnectionDroppedError, SandboxError
from finalmile_sandbox.faults import FaultController, FaultKind
from finalmile_sandbox.records import Api

_EXCHANGE = "finalmile.sandbox.exchange"


class Exchange:
    """Per-request fault state shared between ``inject`` and ``FaultMiddleware``."""

    def __init__(self, transport: asyncio.BaseTransport | None) -> None:
        self.transport = transport
        self.dropped = False
        self.drop_after_commit = False
        self.hold_seconds = 0.0

    def drop(self) -> bool:
        """Abort the connection; False when this server exposes no transport."""
        if self.transport is None:
            return False
        self.transport.abort()  # type: ignore[attr-defined]
        self.dropped = True
        return True


class FaultMiddleware:
    """Outermost ASGI middleware: holds late answers and swallows output after a drop."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        owner: Any = getattr(receive, "__self__", None)
        exchange = Exchange(getattr(owner, "transport", None))
        scope[_EXCHANGE] = exchange

        async def guarded_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                if exchange.drop_after_commit:
                    exchange.drop()
                elif exchange.hold_seconds:
                    await asyncio.sleep(exchange.hold_seconds)
            if not exchange.dropped:
                await send(message)

        await self.app(scope, receive, guarded_send)
        if exchange.dropped:
            # Let the server notice the lost connection before it checks for a response.
            for _ in range(3):
                await asyncio.sleep(0)


async def inject(request: Request, *, faults: FaultController, api: Api, key: str | None) -> None:
    """Apply the faults that hit this request (call before handling it).

    Raises:
        SandboxError: an injected 429 or 5xx.
        ConnectionDroppedError: the socket was closed; the app must answer nothing.
    """
    route = request.scope.get("route")
    operation = getattr(route, "name", None) or request.url.path
    decision = faults.decide(api=api, operation=operation, api_key=key)
    if decision.latency_ms:
        await asyncio.sleep(decision.latency_ms / 1000)
    exchange: Exchange | None = request.scope.get(_EXCHANGE)
    refuse = decision.refuse
    if refuse is not None:
        if refuse.kind is FaultKind.RATE_LIMIT:
            raise SandboxError(
                429,
                "RATE_LIMITED",
                "Too many requests",
                headers={"Retry-After": str(refuse.retry_after)},
            )
        if refuse.kind is FaultKind.SERVER_ERROR:
            raise SandboxError(refuse.status, "INTERNAL_SERVER_ERROR", "Injected server error")
        if exchange is not None and exchange.drop():
            raise ConnectionDroppedError
        raise SandboxError(502, "BAD_GATEWAY", "Connection dropped")
    if exchange is not None:
        exchange.drop_after_commit = decision.drop_after_commit
        exchange.hold_seconds = decision.hold_seconds
