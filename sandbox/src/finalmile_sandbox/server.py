"""Run the sandbox on a loopback port in a background thread: for tests, benchmarks and demos.

    with SandboxServer(Sandbox(clock=SandboxClock(start, rate=0))) as server:
        client = easypost.EasyPostClient("key", api_base=server.easypost_base)
        server.add_fault(Fault(kind=FaultKind.RATE_LIMIT, times=2))
        server.advance(dt.timedelta(days=2))  # trackers move, webhooks are sent

Everything that touches the sandbox's state from the caller's thread goes through ``call`` so it
runs on the server's event loop, between requests, never in the middle of one.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import threading
import time
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import Any, TypeVar

import uvicorn

from finalmile.netlisten import listen
from finalmile_sandbox.app import TICK_SECONDS, create_sandbox_app
from finalmile_sandbox.engine import Sandbox
from finalmile_sandbox.faults import Fault
from finalmile_sandbox.records import Api
from finalmile_sandbox.tracking import Outcome
from finalmile_sandbox.webhooks import WebhookDispatcher

T = TypeVar("T")
STARTUP_TIMEOUT_SECONDS = 30.0


def sandbox_urls(base_url: str) -> tuple[str, str]:
    """(EasyPost ``api_base``, Shippo ``server_url``) of a sandbox served at ``base_url``."""
    root = base_url.rstrip("/")
    return f"{root}/easypost/v2", f"{root}/shippo"


class SandboxServer:
    """The sandbox served by uvicorn on ``host:port`` (0: a free port) in a daemon thread.

    Args:
        sandbox: the world to serve (default: a fresh in-memory one on real time).
        host: the address to bind (loopback by default).
        port: the port, 0 for any free one.
        tick_seconds: how often due tracker events are sent; None: only on ``advance``/``flush``.
    """

    def __init__(
        self,
        sandbox: Sandbox | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tick_seconds: float | None = TICK_SECONDS,
    ) -> None:
        self.sandbox = sandbox or Sandbox()
        self._socket = listen(host, port)
        self.host, self.port = self._socket.getsockname()[:2]
        self.url = f"http://{self.host}:{self.port}/"
        self.easypost_base, self.shippo_base = sandbox_urls(self.url)
        self.dispatcher = WebhookDispatcher(self.sandbox)
        app = create_sandbox_app(
            self.sandbox, dispatcher=self.dispatcher, base_url=self.url, tick_seconds=tick_seconds
        )
        config = uvicorn.Config(
            app,
            log_config=None,
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=1,
            timeout_keep_alive=30,
        )
        self._server = uvicorn.Server(config)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._run, name="carrier-sandbox", daemon=True)

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._server.serve(sockets=[self._socket]))
        finally:
            loop.close()

    def start(self) -> SandboxServer:
        """Serve, returning once requests are accepted.

        Raises:
            RuntimeError: the server did not start in ``STARTUP_TIMEOUT_SECONDS``.
        """
        self._thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while not self._server.started and self._thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        if not self._server.started:
            raise RuntimeError("the carrier sandbox did not start")
        return self

    def stop(self) -> None:
        """Stop serving (in-flight requests get one second) and close the store."""
        self._server.should_exit = True
        self._thread.join(STARTUP_TIMEOUT_SECONDS)
        self._socket.close()
        self.sandbox.store.close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- control from the caller's thread ---------------------------------------------------------

    def call(self, function: Callable[[], T]) -> T:
        """Run ``function`` on the server's event loop and return its result."""

        async def run() -> T:
            return function()

        return self.run(run())

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the server's event loop and return its result."""
        assert self._loop is not None, "start the server first"
        future: concurrent.futures.Future[T] = asyncio.run_coroutine_threadsafe(
            coroutine, self._loop
        )
        return future.result(STARTUP_TIMEOUT_SECONDS)

    def add_fault(self, fault: Fault) -> None:
        """Add a fault rule."""
        self.call(lambda: self.sandbox.faults.add(fault))

    def clear_faults(self) -> None:
        """Remove every fault rule."""
        self.call(self.sandbox.faults.clear)

    def advance(self, delta: dt.timedelta) -> int:
        """Move the sandbox clock forward and send the tracker events now due; returns POSTs."""
        self.call(lambda: self.sandbox.clock.advance(delta))
        return self.flush()

    def flush(self) -> int:
        """Send the tracker events due now; returns how many webhook POSTs were made."""
        return self.run(self.dispatcher.flush(self.url))

    def set_outcome(self, api: Api, tracking_code: str, outcome: Outcome) -> None:
        """Make a tracker end in ``outcome`` (return_to_sender, failure...)."""
        self.call(lambda: self.sandbox.trackers.set_outcome(api, tracking_code, outcome))
