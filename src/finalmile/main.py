"""The service: ``create_app()`` for ASGI servers and tests; ``python -m finalmile`` for the CLI.

Startup migrates the schema, starts group-commit intake and, when a port is configured, the MLLP
listener on the same event loop; shutdown stops accepting, finishes in-flight commits, then exits.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI

from finalmile import __version__
from finalmile.api.errors import install_error_handlers
from finalmile.api.router import router
from finalmile.config.settings import Settings, get_settings
from finalmile.connectors.mllp.listener import MllpListener, server_ssl_context
from finalmile.db import migrate
from finalmile.intake.service import refuse_oversize
from finalmile.services import Services, build_services
from finalmile.shipments.recovery import recover

log = structlog.get_logger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The ASGI application for ``settings`` (default: from the environment)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        migrate(settings.resolved_database_url)
        services = build_services(settings)
        app.state.services = services
        await services.intake.start()
        listener = await _start_mllp(services)
        app.state.mllp_port = listener.port if listener else None
        # Shipments a crash or a carrier outage left open are reconciled with their carriers, in
        # the background: at startup, then every FINALMILE_SHIPMENT_RECOVERY_SECONDS.
        stop_recovery = asyncio.Event()
        recovery = (
            asyncio.create_task(_recover_periodically(services, stop_recovery))
            if services.shipments.accounts
            else None
        )
        log.info("finalmile_started", version=__version__, connector=settings.connector)
        try:
            yield
        finally:
            if listener is not None:
                await listener.listener.stop()
            await services.intake.stop()
            stop_recovery.set()
            if recovery is not None:
                await asyncio.gather(recovery, return_exceptions=True)
            services.close()
            log.info("finalmile_stopped")

    app = FastAPI(
        title="finalmile",
        version=__version__,
        summary="Pharmacy-to-door middleware for specialty and home-infusion medications",
        lifespan=lifespan,
        docs_url="/docs" if settings.serve_api_docs else None,
        redoc_url=None,
        openapi_url="/openapi.json" if settings.serve_api_docs else None,
    )
    install_error_handlers(app)
    app.include_router(router)
    return app


async def _recover_periodically(services: Services, stop: asyncio.Event) -> None:
    interval = services.settings.shipment_recovery_seconds
    while not stop.is_set():
        try:
            await asyncio.to_thread(recover, services.shipments)
        except Exception as exc:  # a failed pass is logged; the next one tries again
            log.error("shipment_recovery_failed", error=type(exc).__name__)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval)


class _RunningListener:
    def __init__(self, listener: MllpListener, port: int) -> None:
        self.listener = listener
        self.port = port


async def _start_mllp(services: Services) -> _RunningListener | None:
    settings = services.settings
    if settings.mllp_port is None:
        return None
    ssl_context = None
    if settings.mllp_tls_cert is not None and settings.mllp_tls_key is not None:
        ssl_context = server_ssl_context(
            settings.mllp_tls_cert, settings.mllp_tls_key, settings.mllp_tls_client_ca
        )
    connector = settings.connector

    async def on_message(raw: bytes) -> list[bytes]:
        reply = await services.intake.receive(raw, connector=connector)
        return list(reply.acks)

    def on_oversize(head: bytes, limit: int) -> list[bytes]:
        return refuse_oversize(head, limit)

    listener = MllpListener(
        connector=connector,
        on_message=on_message,
        on_oversize=on_oversize,
        max_frame_bytes=settings.mllp_max_frame_bytes,
        idle_timeout=settings.mllp_idle_timeout_seconds,
        ssl_context=ssl_context,
    )
    port = await listener.start(settings.mllp_host, settings.mllp_port)
    return _RunningListener(listener, port)
