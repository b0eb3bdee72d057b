"""The service: ``create_app()`` for ASGI servers and tests; ``python -m finalmile`` for the CLI.

Startup migrates the schema, starts group-commit intake and the MLLP listeners (the main port and
one per connector that has its own) on the same event loop, then the scheduler (FHIR polls, drop
folders, delivery decisions) on its threads; shutdown stops the scheduler (letting a running job
finish), stops accepting, finishes in-flight commits, then exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI

from finalmile import __version__
from finalmile.api import ERROR_RESPONSES, BodyLimits, install_error_handlers, router, webhooks
from finalmile.app import Services, build_scheduler, build_services
from finalmile.config import Settings, get_settings
from finalmile.connectors.mllp import start_listeners
from finalmile.console import install_console
from finalmile.db import migrate
from finalmile.geo import load_zip_tables
from finalmile.shipments import recover

log = structlog.get_logger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The ASGI application for ``settings`` (default: from the environment)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        migrate(settings.resolved_database_url)
        services = build_services(settings)
        app.state.services = services
        app.state.provided = services.provided()
        await services.intake.start()
        listeners = await start_listeners(settings=settings, intake=services.intake)
        app.state.mllp_ports = {running.connector: running.port for running in listeners}
        app.state.mllp_port = app.state.mllp_ports.get(settings.connector)
        scheduler = build_scheduler(services)
        if scheduler is not None:
            scheduler.start()
        # Shipments a crash or a carrier outage left open are reconciled with their carriers, in
        # the background: at startup, then every FINALMILE_SHIPMENT_RECOVERY_SECONDS.
        stop_recovery = asyncio.Event()
        recovery = (
            asyncio.create_task(_recover_periodically(services, stop_recovery))
            if services.shipments.accounts
            else None
        )
        # Everything built so far, the ZIP tables included (every order's address needs them),
        # lives as long as the process: keep it out of the collector's full passes, which would
        # otherwise walk its hundreds of thousands of objects after every large page or batch.
        await asyncio.to_thread(load_zip_tables)
        gc.collect()
        gc.freeze()
        log.info("finalmile_started", version=__version__, connector=settings.connector)
        try:
            yield
        finally:
            if scheduler is not None:  # waits for a running poll: keep the event loop free
                await asyncio.to_thread(scheduler.shutdown)
            for running in listeners:
                await running.listener.stop()
            await services.intake.stop()
            stop_recovery.set()
            if recovery is not None:
                await asyncio.gather(recovery, return_exceptions=True)
            services.close()
            gc.unfreeze()  # what the service held may be collected now (tests start many apps)
            log.info("finalmile_stopped")

    app = FastAPI(
        title="finalmile",
        version=__version__,
        summary="Pharmacy-to-door middleware for specialty and home-infusion medications",
        lifespan=lifespan,
        docs_url=None,  # served by the console from the local Swagger UI
        redoc_url=None,
        openapi_url="/openapi.json" if settings.serve_api_docs else None,
    )
    install_error_handlers(app)
    app.add_middleware(
        BodyLimits,
        max_body_bytes=settings.http_max_body_bytes,
        max_upload_bytes=settings.http_max_upload_bytes,
    )
    app.include_router(router, responses=ERROR_RESPONSES)
    install_console(app, docs_title="finalmile" if settings.serve_api_docs else None)
    app.webhooks.include_router(webhooks)  # the events finalmile sends: OpenAPI only
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
