"""``/console/login`` and ``/console/logout``; ``/`` leads to the board.

The sign-in form carries its own CSRF token (double submit: a cookie and a field that must match),
since there is no session yet to hold one.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from finalmile.console.session import (
    COOKIE,
    FormUserDep,
    PolicyDep,
    clear_session_cookie,
    set_session_cookie,
)
from finalmile.console.templating import render
from finalmile.db import transaction
from finalmile.db_types import utcnow
from finalmile.deps import SessionsDep
from finalmile.users import sign_in, sign_out

router = APIRouter(include_in_schema=False)
LOGIN_CSRF = "finalmile_login_csrf"
HOME = "/console/board"


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never another host) may follow a sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return HOME


@router.get("/")
def home() -> RedirectResponse:
    """The console's front page is today's board."""
    return RedirectResponse(HOME, status_code=303)


@router.get("/login")
def login_alias(next: str | None = None) -> RedirectResponse:
    """``/login`` is the sign-in page."""
    return RedirectResponse(f"/console/login?next={_safe_next(next)}", status_code=303)


@router.get("/console/login")
def login_form(request: Request, next: str | None = None) -> Response:
    """The sign-in form."""
    return _form(request, next_path=_safe_next(next))


@router.post("/console/login")
def login(
    *,
    request: Request,
    sessions: SessionsDep,
    policy: PolicyDep,
    name: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form()] = HOME,
    login_csrf: Annotated[str, Form()] = "",
) -> Response:
    """Check the password; on success, a session cookie and on to ``next``."""
    expected = request.cookies.get(LOGIN_CSRF, "")
    if not expected or not hmac.compare_digest(expected.encode(), login_csrf.encode()):
        return _form(request, next_path=_safe_next(next), error="The form expired: try again.")
    with transaction(sessions) as session:
        outcome = sign_in(
            session=session, name=name, password=password, policy=policy, now=utcnow()
        )
    if outcome.token is None:
        return _form(
            request, next_path=_safe_next(next), error=outcome.refusal, name=name, status=401
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(response, outcome.token)
    response.delete_cookie(LOGIN_CSRF, path="/console/login")
    return response


@router.post("/console/logout")
def logout(request: Request, sessions: SessionsDep, user: FormUserDep) -> Response:
    """End the session."""
    with transaction(sessions) as session:
        sign_out(session=session, token=request.cookies.get(COOKIE), now=utcnow())
    response = RedirectResponse("/console/login?next=/console/board&bye=1", status_code=303)
    clear_session_cookie(response)
    return response


def _form(
    request: Request,
    *,
    next_path: str,
    error: str | None = None,
    name: str | None = None,
    status: int = 200,
) -> Response:
    token = secrets.token_urlsafe(24)
    notice = "You are signed out." if request.query_params.get("bye") else None
    if request.query_params.get("idle"):
        notice = "Your session ended after a time without use: sign in again."
    response = render(
        request,
        "login.html",
        user=None,
        next=next_path,
        error=error,
        notice=notice,
        name=name,
        login_csrf=token,
        status_code=status,
    )
    response.set_cookie(
        LOGIN_CSRF, token, httponly=True, secure=True, samesite="strict", path="/console/login"
    )
    return response
