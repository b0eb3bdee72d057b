"""A fake pharmacy management system: the receiving side of finalmile's signed webhooks.

``make run`` starts it in the background and the demo's write-back points at it; tests run it on
a free port. It does what docs/webhooks.md tells PMS developers to do, with the official
``standardwebhooks`` library and none of finalmile's code: verify the Standard Webhooks signature
(``webhook-id``, ``webhook-timestamp``, ``webhook-signature``) over the raw body with the
library's 5-minute timestamp window (401 otherwise), keep each ``Idempotency-Key`` once (a resend
is answered 200 and not stored again), and answer 2xx only once the event is durably stored.
The connector writing to it says ``signature: standard``; the secret is ``whsec_<base64>``.

Accepted events are appended to a JSON-lines file, one line each with the event type, order id,
idempotency key, event id and tracking number: never patient data. ``GET /events`` lists them.
A ``ping`` (``finalmile webhooks test``) is answered 200 ``pong`` and not stored.
``GET /requests`` shows the last verified requests as received (headers and raw body, kept in
memory only), for checking what finalmile sent against its OpenAPI document.

To watch finalmile retry and dead-letter, tell it how to answer: ``POST /control`` with
``{"status": 503}`` refuses every valid signed event with 503 until ``{"status": 200}``;
``{"status": 503, "times": 2}`` refuses the next two, then accepts again. ``GET /state`` shows
the programmed answer and what was not stored since the process started: duplicates, refused
events and bad signatures. The control endpoint is unauthenticated: keep the fake on loopback.

    python -m finalmile_devtools.fake_pms [--host 127.0.0.1] [--port 8790] --events FILE \\
        [--secret-env FINALMILE_DEMO_PMS_SECRET]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import sys
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from http.server import ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

from standardwebhooks.webhooks import (
    EmptyWebhookSecretError,
    Webhook,
    WebhookVerificationError,
)

from finalmile_devtools.json_handler import JsonHandler

#: The library's replay window (it checks ``webhook-timestamp`` against it).
TOLERANCE_SECONDS = 300
#: Where finalmile posts its events.
EVENTS_PATH = "/finalmile/events"
#: Where a person or a test sets the answer (``POST``).
CONTROL_PATH = "/control"
#: The variable ``make run`` hands the shared signing secret in.
SECRET_ENV = "FINALMILE_DEMO_PMS_SECRET"  # noqa: S105 - a variable name, not a secret
DEFAULT_PORT = 8790
MAX_BODY_BYTES = 1_048_576
#: How many verified requests ``GET /requests`` keeps.
KEPT_REQUESTS = 500


def verify(secret: str, headers: Mapping[str, str], raw_body: bytes) -> bool:
    """Whether the request is signed with the ``whsec_`` secret, within the replay window."""
    try:
        Webhook(secret).verify(raw_body, dict(headers), json_parse=False)
    except WebhookVerificationError:
        return False  # a wrong signature, a missing header, or too old (a replay) or too new
    return True


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


class _BadRequestError(ValueError):
    """A request body the fake PMS cannot act on; the message names the field."""


def _json_object(raw_body: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw_body)
    except ValueError:
        raise _BadRequestError("body: not JSON") from None
    if not isinstance(body, dict):
        raise _BadRequestError("body: not a JSON object")
    return body


def _json_object_or_none(raw_body: bytes) -> dict[str, Any]:
    try:
        return _json_object(raw_body)
    except _BadRequestError:
        return {}


def _received(raw_body: bytes, headers: Mapping[str, str]) -> ReceivedEvent:
    envelope = _json_object(raw_body)
    data = envelope.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("order_id"), str):
        raise _BadRequestError("data.order_id: missing")
    key = headers.get("Idempotency-Key", "")
    if not key or key != envelope.get("idempotency_key"):
        raise _BadRequestError("Idempotency-Key: missing or not the body's idempotency_key")
    tracking = data.get("tracking_number")
    return ReceivedEvent(
        type=str(envelope.get("type", "")),
        order_id=data["order_id"],
        idempotency_key=key,
        event_id=headers.get("Finalmile-Event-Id", ""),
        tracking_number=tracking if isinstance(tracking, str) else None,
        received_at=dt.datetime.now(dt.UTC).isoformat(),
    )


@dataclass(frozen=True)
class Answer:
    """The status valid signed events get: 200 stores them, 400-599 refuses them unstored.

    ``times`` events get it, then the answer is 200 again; None: every event until changed.
    """

    status: int = 200
    times: int | None = None

    @classmethod
    def from_request(cls, raw_body: bytes) -> Answer:
        """The answer a ``POST /control`` body asks for.

        Raises:
            _BadRequestError: not ``{"status": 200 or 400-599, "times": 1 or more (optional)}``.
        """
        request = _json_object(raw_body)
        unknown = sorted(set(request) - {"status", "times"})
        if unknown:
            raise _BadRequestError(f"{unknown[0]}: unknown field (expected status, times)")
        status, times = request.get("status"), request.get("times")
        if type(status) is not int or not (status == 200 or 400 <= status <= 599):
            raise _BadRequestError(f"status: {status!r} is not 200 (accept) or 400-599 (refuse)")
        if times is not None and (type(times) is not int or times < 1):
            raise _BadRequestError(f"times: {times!r} is not a whole number of 1 or more")
        return cls(status, times)

    def after_use(self) -> Answer:
        """The answer for the event after this one."""
        if self.times is None:
            return self
        return Answer() if self.times == 1 else replace(self, times=self.times - 1)


@dataclass
class Counts:
    """Deliveries the fake PMS did not store, since the process started."""

    duplicates: int = 0
    refused: int = 0
    bad_signatures: int = 0


class Receiver:
    """The PMS side of docs/webhooks.md minus HTTP: verify, answer as set, keep each key once."""

    def __init__(self, secret: str, log: EventLog, *, echo: bool) -> None:
        self.log = log
        self._requests: deque[dict[str, Any]] = deque(maxlen=KEPT_REQUESTS)
        self._secret = secret
        self._echo = echo
        self._lock = threading.Lock()
        self._answer = Answer()
        self._counts = Counts()

    def receive(self, headers: Mapping[str, str], raw_body: bytes) -> tuple[int, dict[str, str]]:
        """The HTTP status and JSON body answering one delivery."""
        if not verify(self._secret, headers, raw_body):
            with self._lock:
                self._counts.bad_signatures += 1
            return 401, {"error": "bad or stale signature"}
        with self._lock:
            self._requests.append({"headers": dict(headers), "body": raw_body.decode("utf-8")})
        if _json_object_or_none(raw_body).get("type") == "ping":  # finalmile webhooks test
            self._say("answered a ping")
            return 200, {"outcome": "pong"}
        try:
            event = _received(raw_body, headers)
        except _BadRequestError as exc:
            return 400, {"error": str(exc)}
        status = self._next_status()
        if status != 200:
            self._say(f"refused {event.type} for {event.order_id} with {status} (as set)")
            return status, {"error": f"refused with {status} as set by {CONTROL_PATH}"}
        if not self.log.add(event):
            with self._lock:
                self._counts.duplicates += 1
            self._say(f"already had Idempotency-Key {event.idempotency_key}: not stored again")
            return 200, {"outcome": "duplicate"}
        self._say(
            f"accepted {event.type} for {event.order_id} (Idempotency-Key {event.idempotency_key})"
        )
        return 200, {"outcome": "accepted"}

    def requests(self) -> list[dict[str, Any]]:
        """The last verified requests, oldest first: ``{"headers": {...}, "body": "..."}``."""
        with self._lock:
            return list(self._requests)

    def set_answer(self, answer: Answer) -> None:
        """Answer the next valid signed events as ``answer`` says."""
        with self._lock:
            self._answer = answer
        times = "every event" if answer.times is None else f"the next {answer.times} event(s)"
        self._say(f"answering {times} with {answer.status}")

    def state(self) -> dict[str, Any]:
        """The current answer and the counts, as ``GET /state`` shows them."""
        with self._lock:
            return {"answer": asdict(self._answer), **asdict(self._counts)}

    def _next_status(self) -> int:
        """The status this event gets under the set answer; a refusal is counted."""
        with self._lock:
            status, self._answer = self._answer.status, self._answer.after_use()
            if status != 200:
                self._counts.refused += 1
            return status

    def _say(self, message: str) -> None:
        if self._echo:
            print(f"fake PMS: {message}", flush=True)


def _handler(receiver: Receiver) -> type[JsonHandler]:
    class Handler(JsonHandler):  # request lines are noise here; the receiver says what it did
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/events":
                self.answer_json(200, {"events": [asdict(e) for e in receiver.log.events()]})
            elif path == "/requests":
                self.answer_json(200, {"requests": receiver.requests()})
            elif path == "/state":
                self.answer_json(200, receiver.state())
            else:
                self.answer_json(404, {"error": "not found"})

        def do_POST(self) -> None:
            if self.path not in (EVENTS_PATH, CONTROL_PATH):
                self.answer_json(404, {"error": "not found"})
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                self.answer_json(413, {"error": "body too large"})
                return
            raw_body = self.rfile.read(length)
            if self.path == EVENTS_PATH:
                headers = {name: self.headers.get(name, "") for name in _HEADERS}
                self.answer_json(*receiver.receive(headers, raw_body))
                return
            try:
                answer = Answer.from_request(raw_body)
            except _BadRequestError as exc:
                self.answer_json(400, {"error": str(exc)})
                return
            receiver.set_answer(answer)
            self.answer_json(200, {"answer": asdict(answer)})

    return Handler


_HEADERS = (
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
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
        secret: str,
        events_file: Path,
        host: str = "127.0.0.1",
        port: int = 0,
        echo: bool = False,
    ) -> None:
        self.log = EventLog(events_file)
        self.receiver = Receiver(secret, self.log, echo=echo)
        self._server = ThreadingHTTPServer((host, port), _handler(self.receiver))
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
    parser = argparse.ArgumentParser(prog="python -m finalmile_devtools.fake_pms")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--events", type=Path, required=True, help="JSON-lines file of events")
    parser.add_argument("--secret-env", default=SECRET_ENV, help="variable holding whsec_...")
    args = parser.parse_args(argv)
    secret = os.environ.get(args.secret_env)
    if not secret:
        print(f"fake PMS: set {args.secret_env} to the whsec_ signing secret", file=sys.stderr)
        return 2
    try:
        Webhook(secret)
    except (ValueError, EmptyWebhookSecretError):  # binascii.Error: not base64 after whsec_
        print(f"fake PMS: {args.secret_env} is not a whsec_<base64> secret", file=sys.stderr)
        return 2
    try:
        pms = FakePms(
            secret=secret,
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
        f"(stored in {args.events}); set answers: POST {pms.base_url}{CONTROL_PATH}, "
        f"see them: {pms.base_url}/state",
        flush=True,
    )
    with contextlib.suppress(KeyboardInterrupt):
        pms.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
