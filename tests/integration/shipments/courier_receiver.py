"""A third-party courier's API on loopback, as the courier carrier expects it (a test double at
the process boundary). It checks signatures and honours idempotency keys like a real one should.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from finalmile_devtools.json_handler import JsonHandler


@dataclass
class CourierState:
    """What the courier received."""

    secret: str
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_key: dict[str, str] = field(default_factory=dict)
    dispatches: int = 0
    bad_signatures: int = 0
    fail_next_dispatch_after_commit: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)


def _handler(state: CourierState) -> type[BaseHTTPRequestHandler]:
    class Handler(JsonHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            expected = "sha256=" + hmac.new(state.secret.encode(), body, hashlib.sha256).hexdigest()
            if not hmac.compare_digest(self.headers.get("X-Finalmile-Signature", ""), expected):
                state.bad_signatures += 1
                self.answer_json(401, {"error": "bad signature"})
                return
            key = self.headers.get("Idempotency-Key", "")
            parts = self.path.strip("/").split("/")
            with state.lock:
                if parts == ["jobs"]:
                    job_id = state.by_key.get(key) or f"job_{len(state.jobs) + 1}"
                    state.by_key[key] = job_id
                    job = state.jobs.setdefault(
                        job_id, {"id": job_id, "status": "quoted", "job": json.loads(body)}
                    )
                    self.answer_json(201, {"id": job_id, "price": "31.50", "currency": "USD"})
                    return
                job = state.jobs.get(parts[1]) if len(parts) == 3 else None
                if job is None:
                    self.answer_json(404, {"error": "no such job"})
                    return
                if parts[2] == "dispatch":
                    if job["status"] == "quoted":
                        job["status"] = "dispatched"
                        state.dispatches += 1
                    if state.fail_next_dispatch_after_commit:
                        state.fail_next_dispatch_after_commit = False
                        self.answer_json(500, {"error": "oops"})
                        return
                elif parts[2] == "cancel":
                    job["status"] = "cancelled"
                self.answer_json(200, {"id": job["id"], "status": job["status"]})

        def do_GET(self) -> None:
            parts = self.path.strip("/").split("/")
            job = state.jobs.get(parts[1]) if len(parts) == 2 and parts[0] == "jobs" else None
            if job is None:
                self.answer_json(404, {"error": "no such job"})
                return
            self.answer_json(200, {"id": job["id"], "status": job["status"]})

    return Handler


@contextmanager
def courier_api(secret: str) -> Iterator[tuple[str, CourierState]]:
    """Serve the courier API on a free loopback port; yields (base URL, state)."""
    state = CourierState(secret=secret)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()
