"""The console's Jinja2 templates (autoescaped), with the helpers every page uses."""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING, Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from finalmile.users import ConsoleUserInfo

if TYPE_CHECKING:
    from jinja2 import Environment


def _when(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value is not None else "—"


def _label(value: str | None) -> str:
    return (value or "—").replace("_", " ")


@functools.cache
def _environment() -> Environment:
    """The template environment, built on the first page (a service that serves no page never
    loads Jinja2)."""
    from jinja2 import Environment, PackageLoader, select_autoescape  # noqa: PLC0415

    environment = Environment(
        loader=PackageLoader("finalmile.console", "templates"),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["when"] = _when
    environment.filters["label"] = _label
    return environment


def render(
    request: Request,
    template: str,
    *,
    user: ConsoleUserInfo | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """An HTML page from ``template`` with the signed-in ``user`` (None on the sign-in page)."""
    html = _environment().get_template(template).render(request=request, user=user, **context)
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
