"""Mount the console on the service's app: its pages, live stream, assets and offline ``/docs``."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from finalmile.console import (
    admin_page,
    billing_page,
    board,
    exceptions_page,
    live,
    order_page,
    routes_page,
    sign_in,
)
from finalmile.console.assets import install_assets
from finalmile.console.session import SignInRequiredError, sign_in_url

PAGES = (
    sign_in.router,
    board.router,
    order_page.router,
    exceptions_page.router,
    billing_page.router,
    routes_page.router,
    admin_page.router,
    live.router,
)


def install_console(app: FastAPI, *, docs_title: str | None) -> None:
    """Add the console's routes and assets to ``app``; ``docs_title``: serve ``/docs`` too."""
    install_assets(app, docs_title=docs_title)
    for router in PAGES:
        app.include_router(router)

    @app.exception_handler(SignInRequiredError)
    async def _sign_in(request: Request, exc: SignInRequiredError) -> Response:
        return RedirectResponse(sign_in_url(exc.next_path), status_code=303)
