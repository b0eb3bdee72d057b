"""Every script, style and image the console and ``/docs`` load, served by finalmile itself
from installed packages: the console's own files, Leaflet (``xstatic-leaflet``) and Swagger UI
(the copy ``fastapi-offline`` ships). Nothing comes from a CDN: pages work on a closed network."""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"
SWAGGER = "/vendor/swagger-ui"
LEAFLET = "/vendor/leaflet"


def install_assets(app: FastAPI, *, docs_title: str | None) -> None:
    """Mount the static folders; with ``docs_title``, serve ``/docs`` from the local Swagger UI."""
    # Deferred: only a serving process needs the vendored packages' paths.
    from xstatic.pkg import leaflet  # noqa: PLC0415

    swagger_ui = importlib.resources.files("fastapi_offline") / "static"

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount(LEAFLET, StaticFiles(directory=leaflet.BASE_DIR), name="leaflet")
    app.mount(SWAGGER, StaticFiles(directory=str(swagger_ui)), name="swagger-ui")
    if docs_title is None:
        return

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title=f"{docs_title} API",
            swagger_js_url=f"{SWAGGER}/swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER}/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )
