"""Tracking fixtures: a frozen-clock carrier sandbox, carrier accounts on it, webhook secrets, and
finalmile served over HTTP on loopback (so the sandbox can post its signed webhooks to it)."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from pydantic import SecretStr

from finalmile.app import Services, build_services
from finalmile.config.settings import Settings
from finalmile.main import create_app
from finalmile_sandbox.clock import SandboxClock
from finalmile_sandbox.engine import Sandbox
from finalmile_sandbox.server import SandboxServer
from tests.integration.environment import export_settings
from tests.integration.shipments.conftest import carrier_config

#: A Friday afternoon (UTC), as in the sandbox tests.
FRIDAY = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)
EASYPOST_SECRET = "tracking-test-easypost-secret"
SHIPPO_TOKEN = "tracking-test-shippo-token"


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    """A fresh carrier sandbox whose clock stands still at FRIDAY until a test moves it."""
    world = Sandbox(clock=SandboxClock(FRIDAY, rate=0))
    with SandboxServer(world, tick_seconds=None) as server:
        yield server


@pytest.fixture
def track_settings(settings: Settings, sandbox: SandboxServer) -> Settings:
    """Carrier accounts on the sandbox and webhook secrets; no outbox workers (rows stay put)."""
    return settings.model_copy(
        update={
            "carriers": carrier_config(sandbox),
            "easypost_webhook_secret": SecretStr(EASYPOST_SECRET),
            "shippo_webhook_token": SecretStr(SHIPPO_TOKEN),
            "outbox_workers": 0,
        }
    )


@pytest.fixture
def tracked(track_settings: Settings) -> Iterator[Services]:
    """Services for the tracking settings (direct storage access beside the app)."""
    built = build_services(track_settings)
    yield built
    built.close()


class AppServer:
    """``create_app(settings)`` served by uvicorn on a free loopback port in a thread."""

    def __init__(self, settings: Settings) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        config = uvicorn.Config(create_app(settings), log_config=None, access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def __enter__(self) -> AppServer:
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started and time.monotonic() < deadline:
            time.sleep(0.01)
        assert self._server.started, "finalmile did not start"
        return self

    def __exit__(self, *_: object) -> None:
        self._server.should_exit = True
        self._thread.join(30)
        self._socket.close()


@pytest.fixture
def app_server(track_settings: Settings, tracked: Services) -> Iterator[AppServer]:
    """finalmile over HTTP on loopback."""
    with AppServer(track_settings) as server:
        yield server


@pytest.fixture
def cli_env(track_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The tracking tests' settings as the environment the ``finalmile`` command reads."""
    return export_settings(track_settings, monkeypatch)
