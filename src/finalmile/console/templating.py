"""The console's Jinja2 templates (autoescaped), with the helpers every page uses."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from finalmile.users import ConsoleUserInfo

_ENV = Environment(
    loader=PackageLoader("finalmile.console", "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _when(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value is not None else "—"


def _label(value: str | None) -> str:
    return (value or "—").replace("_", " ")


_ENV.filters["when"] = _when
_ENV.filters["label"] = _label


def render(
    request: Request,
    template: str,
    *,
    user: ConsoleUserInfo | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """An HTML page from ``template`` with the signed-in ``user`` (None on the sign-in page)."""
    html = _ENV.get_template(template).render(request=request, user=user, **context)
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)


#: Pages load only what finalmile serves; nothing may frame them.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
