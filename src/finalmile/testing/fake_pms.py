"""A fake pharmacy management system: the receiving side of finalmile's signed webhooks.

``make run`` starts it in the background and the demo's write-back points at it; tests run it on
a free port. It does what docs/webhooks.md tells PMS developers to do, with the standard library
only (none of finalmile's code): verify ``Finalmile-Signature`` over the raw body with a 5-minute
timestamp window (401 otherwise), keep each ``Idempotency-Key`` once (a resend is answered 200
and not stored again), and answer 2xx only once the event is durably stored.

Accepted events are appended to a JSON-lines file, one line each with the event type, order id,
idempotency key, event id and tracking number: never patient data. ``GET /events`` lists them.

    python -m finalmile.testing.fake_pms [--host 127.0.0.1] [--port 8790] --events FILE \\
        [--secret-env FINALMILE_DEMO_PMS_SECRET]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import hmac
import json
import os
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

TOLERANCE_SECONDS = 300
#: Where finalmile posts its events.
EVENTS_PATH = "/finalmile/events"
#: The variable ``make run`` hands the shared signing secret in.
SECRET_ENV = "FINALMILE_DEMO_PMS_SECRET"  # noqa: S105 - a variable name, not a secret
DEFAULT_PORT = 8790
MAX_BODY_BYTES = 1_048_576


def verify(secret: bytes, headers: Mapping[str, str], raw_body: bytes) -> bool:
    """Whether the request is signed with ``secret`` within the replay window (docs/webhooks.md)."""
    timestamp = headers.get("Finalmile-Timestamp", "")
    signature = headers.get("Finalmile-Signature", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
        return False  # too old (a replay) or from a badly skewed clock
    expected = hmac.new(secret, timestamp.encode() + b"." + raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(signature, "v1=" + expected)


@dataclass(frozen=True)
class ReceivedEvent:
    """What the fake PMS keeps of one accepted event (no patient data)."""

    type: str
    order_id: str
    idempotency_key: str
    event_id: str
    tracking_number: str | None
    received_at: str


class EventLog:
    """Accepted events in a JSON-lines file; its keys are the idempotency memory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._events: list[ReceivedEvent] = []
        if path.exists():
            lines = path.read_text("utf-8").splitlines()
            self._events = [ReceivedEvent(**json.loads(line)) for line in lines if line.strip()]
        self._keys = {event.idempotency_key for event in self._events}

    def add(self, event: ReceivedEvent) -> bool:
        """Store ``event`` durably; False (nothing written) when its key was seen before."""
        with self._lock:
            if event.idempotency_key in self._keys:
                return False
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as file:
                file.write(json.dumps(asdict(event), sort_keys=True) + "\n")
                file.flush()
                os.fsync(file.fileno())
            self._keys.add(event.idempotency_key)
            self._events.append(event)
            return True

    def events(self) -> list[ReceivedEvent]:
        """Every accepted event, oldest first."""
        with self._lock:
            return list(self._events)


class _BadEventError(ValueError):
    """A signed body that is not a finalmile event envelope."""


def _received(raw_body: bytes, headers: Mapping[str, str]) -> ReceivedEvent:
    try:
        envelope = json.loads(raw_body)
    except ValueError:
        raise _BadEventError("body: not JSON") from None
    data = envelope.get("data") if isinstance(envelope, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("order_id"), str):
        raise _BadEventError("data.order_id: missing")
    key = headers.get("Idempotency-Key", "")
    if not key or key != envelope.get("idempotency_key"):
        raise _BadEventError("Idempotency-Key: missing or not the body's idempotency_key")
    tracking = data.get("tracking_number")
    return ReceivedEvent(
        type=str(envelope.get("type", "")),
        order_id=data["order_id"],
        idempotency_key=key,
        event_id=headers.get("Finalmile-Event-Id", ""),
        tracking_number=tracking if isinstance(tracking, str) else None,
        received_at=dt.datetime.now(dt.UTC).isoformat(),
    )


def _handler(secret: bytes, log: EventLog, echo: bool) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass  # request lines are noise here; accepted events are printed below

        def _reply(self, status: int, body: object) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path.split("?", 1)[0] != "/events":
                self._reply(404, {"error": "not found"})
                return
            self._reply(200, {"events": [asdict(e) for e in log.events()]})

        def do_POST(self) -> None:
            if self.path != EVENTS_PATH:
                self._reply(404, {"error": "not found"})
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                self._reply(413, {"error": "body too large"})
                return
            raw_body = self.rfile.read(length)
            headers = {name: self.headers.get(name, "") for name in _HEADERS}
            if not verify(secret, headers, raw_body):
                self._reply(401, {"error": "bad or stale signature"})
                return
            try:
                event = _received(raw_body, headers)
            except _BadEventError as exc:
                self._reply(400, {"error": str(exc)})
                return
            fresh = log.add(event)
            if fresh and echo:
                print(
                    f"fake PMS: accepted {event.type} for {event.order_id} "
                    f"(Idempotency-Key {event.idempotency_key})",
                    flush=True,
                )
            self._reply(200, {"outcome": "accepted" if fresh else "duplicate"})

    return Handler


_HEADERS = (
    "Finalmile-Timestamp",
    "Finalmile-Signature",
    "Finalmile-Event-Id",
    "Finalmile-Event-Type",
    "Idempotency-Key",
)


class FakePms:
    """The fake PMS served from a daemon thread (``port=0``: a free port).

    Use as a context manager; ``url`` is what a connector's ``writeback.webhook.url`` names.
    """

    def __init__(
        self,
        *,
        secret: bytes,
        events_file: Path,
        host: str = "127.0.0.1",
        port: int = 0,
        echo: bool = False,
    ) -> None:
        self.log = EventLog(events_file)
        self._server = ThreadingHTTPServer((host, port), _handler(secret, self.log, echo))
        self.host, self.port = host, int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """``http://host:port``."""
        return f"http://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        """The URL finalmile posts events to."""
        return self.base_url + EVENTS_PATH

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted."""
        self._server.serve_forever()

    def __enter__(self) -> FakePms:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)


def main(argv: list[str]) -> int:
    """Serve until interrupted; the exit status."""
    parser = argparse.ArgumentParser(prog="python -m finalmile.testing.fake_pms")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--events", type=Path, required=True, help="JSON-lines file of events")
    parser.add_argument("--secret-env", default=SECRET_ENV, help="variable holding the secret")
    args = parser.parse_args(argv)
    secret = os.environ.get(args.secret_env)
    if not secret:
        print(f"fake PMS: set {args.secret_env} to the webhook signing secret", file=sys.stderr)
        return 2
    try:
        pms = FakePms(
            secret=secret.encode(),
            events_file=args.events,
            host=args.host,
            port=args.port,
            echo=True,
        )
    except OSError as exc:
        print(f"fake PMS: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    print(
        f"fake PMS: receiving webhooks at {pms.url}; accepted events: {pms.base_url}/events "
        f"(stored in {args.events})",
        flush=True,
    )
    with contextlib.suppress(KeyboardInterrupt):
        pms.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
