"""Console sign-in: scrypt passwords, sessions in a Secure cookie, CSRF on every form, lockout
after repeated failures, sign-off after idleness, and the patient-access record."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import col

from finalmile.app import Services, build_services
from finalmile.audit import AuditEvent
from finalmile.auth import Role
from finalmile.config import Settings
from finalmile.console.session import COOKIE
from finalmile.db import transaction
from finalmile.main import create_app
from finalmile.users import ConsoleSession, SignInPolicy, create_user, current_user, sign_in


@pytest.fixture
def console(settings: Settings) -> Iterator[TestClient]:
    """The app over HTTPS (the session cookie is Secure), not following redirects."""
    app = create_app(settings)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        yield client


def _user(settings: Settings, name: str, *roles: Role) -> str:
    services = build_services(settings)
    try:
        with transaction(services.sessions) as session:
            return create_user(session=session, name=name, roles=roles, actor="test")
    finally:
        services.close()


def _login_token(client: TestClient, next_path: str = "/console/board") -> str:
    page = client.get(f"/console/login?next={next_path}")
    assert page.status_code == 200
    found = re.search(r'name="login_csrf" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


def _sign_in(client: TestClient, name: str, password: str) -> tuple[int, str]:
    token = _login_token(client)
    answer = client.post(
        "/console/login",
        data={"name": name, "password": password, "next": "/console/board", "login_csrf": token},
    )
    return answer.status_code, answer.headers.get("location", answer.text)


def test_pages_need_a_session_and_lead_back_after_signing_in(
    settings: Settings, console: TestClient
) -> None:
    password = _user(settings, "dana", Role.DISPATCHER)
    assert console.get("/").headers["location"] == "/console/board"
    away = console.get("/console/board?day=2026-12-07")
    assert away.status_code == 303
    assert away.headers["location"] == "/console/login?next=/console/board%3Fday%3D2026-12-07"

    status, location = _sign_in(console, "dana", password)
    assert (status, location) == (303, "/console/board")
    cookie = console.cookies.get(COOKIE)
    assert cookie
    board = console.get("/console/board")
    assert board.status_code == 200
    assert "dana · dispatcher" in board.text
    assert "default-src 'self'" in board.headers["content-security-policy"]


def test_session_cookie_is_secure_httponly_and_strict(
    settings: Settings, console: TestClient
) -> None:
    password = _user(settings, "dana", Role.DISPATCHER)
    token = _login_token(console)
    answer = console.post(
        "/console/login",
        data={"name": "dana", "password": password, "login_csrf": token},
    )
    header = answer.headers["set-cookie"].lower()
    assert f"{COOKIE}=" in header
    assert "httponly" in header and "secure" in header and "samesite=strict" in header


def test_sign_in_refuses_a_wrong_password_or_a_forged_form(
    settings: Settings, console: TestClient
) -> None:
    password = _user(settings, "dana", Role.DISPATCHER)
    status, text = _sign_in(console, "dana", "not-it")
    assert status == 401 and "wrong user name or password" in text
    status, text = _sign_in(console, "nobody", password)
    assert status == 401 and "wrong user name or password" in text
    forged = console.post(
        "/console/login", data={"name": "dana", "password": password, "login_csrf": "x"}
    )
    assert forged.status_code == 200 and "The form expired" in forged.text
    assert console.cookies.get(COOKIE) is None


def test_a_form_without_the_session_csrf_token_is_refused(
    settings: Settings, console: TestClient
) -> None:
    password = _user(settings, "dana", Role.DISPATCHER)
    _sign_in(console, "dana", password)
    refused = console.post("/console/logout", data={})
    assert refused.status_code == 403
    assert "form is stale" in refused.json()["error"]["message"]
    board = console.get("/console/board")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', board.text)
    assert csrf
    out = console.post("/console/logout", data={"csrf_token": csrf.group(1)})
    assert out.status_code == 303
    assert console.get("/console/board").status_code == 303


def test_repeated_wrong_passwords_lock_the_account(settings: Settings, console: TestClient) -> None:
    password = _user(settings, "dana", Role.DISPATCHER)
    for _ in range(settings.console_max_failures):
        assert _sign_in(console, "dana", "wrong")[0] == 401
    status, text = _sign_in(console, "dana", password)
    assert status == 401 and "locked" in text
    services = build_services(settings)
    with services.sessions() as session:
        actions = list(
            session.scalars(
                select(col(AuditEvent.action)).where(col(AuditEvent.entity) == "console_user")
            )
        )
    services.close()
    assert actions.count("sign_in_failed") == settings.console_max_failures - 1
    assert "locked" in actions and "signed_in" not in actions
    assert password not in str(actions)


def test_an_idle_session_ends(services: Services) -> None:
    policy = SignInPolicy(idle=dt.timedelta(minutes=15))
    start = dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC)
    with transaction(services.sessions) as session:
        password = create_user(session=session, name="ola", roles=[Role.BILLING], actor="test")
    with transaction(services.sessions) as session:
        token = sign_in(
            session=session, name="ola", password=password, policy=policy, now=start
        ).token
    with transaction(services.sessions) as session:
        used = start + dt.timedelta(minutes=14)
        assert current_user(session=session, token=token, policy=policy, now=used) is not None
    with transaction(services.sessions) as session:
        later = used + dt.timedelta(minutes=14)
        assert current_user(session=session, token=token, policy=policy, now=later) is not None
    with transaction(services.sessions) as session:
        idle = later + dt.timedelta(minutes=16)
        assert current_user(session=session, token=token, policy=policy, now=idle) is None
        stored = session.scalars(select(ConsoleSession)).one()
        assert stored.ended_at == idle
        assert token is not None and token not in stored.token_sha256


def test_docs_and_assets_are_served_locally(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"api_docs": True}))
    with TestClient(app, base_url="https://testserver") as client:
        docs = client.get("/docs")
        assert docs.status_code == 200
        assert "/vendor/swagger-ui/swagger-ui-bundle.js" in docs.text
        assert "cdn" not in docs.text.lower() and "https://" not in docs.text
        for path in (
            "/vendor/swagger-ui/swagger-ui-bundle.js",
            "/vendor/swagger-ui/swagger-ui.css",
            "/vendor/leaflet/leaflet.js",
            "/vendor/leaflet/leaflet.css",
            "/static/console.css",
            "/static/console.js",
            "/static/favicon.svg",
        ):
            assert client.get(path).status_code == 200, path
