"""The service: ``create_app()`` for ASGI servers and tests; ``python -m finalmile`` for the CLI.

Startup migrates the schema, starts group-commit intake, the decision worker and, when a port is
configured, the MLLP listener on the same event loop; shutdown stops accepting, finishes in-flight
commits, then exits.
"""

from __future__ import annotations

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
from finalmile.rules.jobs import DecisionWorker
from finalmile.services import Services, build_services

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
        worker = _start_decisions(services)
        app.state.mllp_port = listener.port if listener else None
        log.info("finalmile_started", version=__version__, connector=settings.connector)
        try:
            yield
        finally:
            if listener is not None:
                await listener.listener.stop()
            if worker is not None:
                await worker.stop()
            await services.intake.stop()
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


def _start_decisions(services: Services) -> DecisionWorker | None:
    interval = services.settings.decide_interval_seconds
    if interval == 0:
        return None
    worker = DecisionWorker(services.decider, interval=interval)
    worker.start()
    return worker


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
