"""Who is signed in: the session cookie, the CSRF check on every form, and role checks.

The cookie is ``HttpOnly``, ``Secure`` (browsers treat 127.0.0.1 and localhost as secure) and
``SameSite=Strict``; it carries a random token whose SHA-256 is the stored session's key. Every
state-changing request carries the session's CSRF token (a hidden form field or the
``X-CSRF-Token`` header) and is refused without it.
"""

from __future__ import annotations

import hmac
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Form, Request
from fastapi.responses import Response

from finalmile.auth import Role
from finalmile.db import transaction
from finalmile.db_types import utcnow
from finalmile.deps import SessionsDep, provided
from finalmile.errors import AuthError
from finalmile.users import ConsoleUserInfo, SignInPolicy, current_user

COOKIE = "finalmile_session"
PolicyDep = Annotated[SignInPolicy, Depends(provided(SignInPolicy))]


class SignInRequiredError(Exception):
    """No live session: the page answers with a redirect to the sign-in form."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def sign_in_url(next_path: str) -> str:
    """The sign-in page, coming back to ``next_path`` afterwards."""
    return f"/console/login?next={quote(next_path, safe='/')}"


def set_session_cookie(response: Response, token: str) -> None:
    """Hand the browser its session token."""
    response.set_cookie(COOKIE, token, httponly=True, secure=True, samesite="strict", path="/")


def clear_session_cookie(response: Response) -> None:
    """Forget the session in the browser."""
    response.delete_cookie(COOKIE, path="/", secure=True, httponly=True, samesite="strict")


def console_user(request: Request, sessions: SessionsDep, policy: PolicyDep) -> ConsoleUserInfo:
    """The signed-in user; raises SignInRequiredError (a redirect) when there is none."""
    with transaction(sessions) as session:
        user = current_user(
            session=session, token=request.cookies.get(COOKIE), policy=policy, now=utcnow()
        )
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequiredError(target)
    return user


UserDep = Annotated[ConsoleUserInfo, Depends(console_user)]


def check_csrf(user: ConsoleUserInfo, request: Request, form_token: str | None) -> None:
    """Refuse a state-changing request without the session's CSRF token (403)."""
    sent = form_token or request.headers.get("X-CSRF-Token") or ""
    if not hmac.compare_digest(sent.encode(), user.csrf_token.encode()):
        raise AuthError(
            "this form is stale or was not sent by the console: reload the page",
            status_code=403,
        )


def form_user(
    request: Request, user: UserDep, csrf_token: Annotated[str | None, Form()] = None
) -> ConsoleUserInfo:
    """The signed-in user of a form post whose CSRF token is right."""
    check_csrf(user, request, csrf_token)
    return user


FormUserDep = Annotated[ConsoleUserInfo, Depends(form_user)]


def require_roles(user: ConsoleUserInfo, *roles: Role) -> None:
    """Refuse (403) a user who holds none of ``roles``."""
    if not user.acts_as(*roles):
        names = ", ".join(role.value for role in roles)
        raise AuthError(f"this needs the role {names}; ask an admin", status_code=403)
