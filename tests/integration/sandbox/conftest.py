"""The carrier sandbox on loopback with a frozen clock, and the official SDKs pointed at it."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import easypost
import pytest
import requests
import shippo

from finalmile_sandbox.clock import SandboxClock
from finalmile_sandbox.engine import Sandbox
from finalmile_sandbox.server import SandboxServer

#: A Friday afternoon (UTC): weekend rules show up within a few days.
FRIDAY = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)
BOSTON = {
    "street1": "1 Test Plaza",
    "city": "Boston",
    "state": "MA",
    "zip": "02110",
    "country": "US",
}
CAMBRIDGE = {
    "name": "Synthetic Patient",
    "street1": "12 Elm St",
    "city": "Cambridge",
    "state": "MA",
    "zip": "02139",
    "country": "US",
}
LOS_ANGELES = {"street1": "200 N Spring St", "city": "Los Angeles", "state": "CA", "zip": "90012"}
PARCEL = {"length": 10, "width": 8, "height": 4, "weight": 24}


class TimeoutSession(requests.Session):
    """A Session that always sets a timeout (Shippo's SDK sends none)."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    """A fresh sandbox whose clock stands still at FRIDAY until a test moves it."""
    with SandboxServer(Sandbox(clock=SandboxClock(FRIDAY, rate=0)), tick_seconds=None) as running:
        yield running


@pytest.fixture
def easypost_client(server: SandboxServer) -> Iterator[easypost.EasyPostClient]:
    """The unmodified EasyPost SDK on the sandbox."""
    client = easypost.EasyPostClient("EZTK_sandbox", api_base=server.easypost_base, timeout=5)
    yield client
    client._requests_session.close()


@pytest.fixture
def shippo_session() -> Iterator[TimeoutSession]:
    """The requests Session the Shippo SDK sends through (5 s timeout)."""
    with TimeoutSession(5.0) as session:
        yield session


@pytest.fixture
def shippo_sdk(server: SandboxServer, shippo_session: TimeoutSession) -> shippo.Shippo:
    """The unmodified Shippo SDK on the sandbox."""
    return shippo.Shippo(
        api_key_header="ShippoToken shippo_test_sandbox",
        server_url=server.shippo_base,
        client=shippo_session,
    )


@dataclass
class Received:
    """One webhook POST as the receiver got it."""

    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A loopback HTTP endpoint that records webhook POSTs."""

    url: str
    received: list[Received] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on a free loopback port."""
    posts: list[Received] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            posts.append(Received(self.path, dict(self.headers.items()), body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield Receiver(f"http://127.0.0.1:{httpd.server_address[1]}/hooks", posts)
    httpd.shutdown()
    httpd.server_close()
    thread.join()
