"""A PMS webhook receiver run as its own process: verifies signatures the way docs/webhooks.md
tells PMS developers to, with the standard library only (none of finalmile's code).

    python fake_pms.py PORT SECRET

``POST /hooks``: 401 unless ``Finalmile-Signature`` is the HMAC-SHA256 of ``timestamp.body`` and
the timestamp within 5 minutes; then the answer set by ``POST /control`` (default 200). Accepted
events are kept once per ``Idempotency-Key`` (a resend is answered 200 and counted as a
duplicate). ``GET /state`` returns everything as JSON.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOLERANCE_SECONDS = 300


class State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.answer = 200
        self.accepted: dict[str, dict[str, object]] = {}
        self.duplicates = 0
        self.refused_answers = 0
        self.bad_signatures = 0


def verified(secret: bytes, headers: object, body: bytes) -> bool:
    timestamp = headers.get("Finalmile-Timestamp", "")  # type: ignore[attr-defined]
    signature = headers.get("Finalmile-Signature", "")  # type: ignore[attr-defined]
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    expected = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(signature, f"v1={expected}")


def handler(state: State, secret: bytes) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def _reply(self, status: int, body: object = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            with state.lock:
                self._reply(
                    200,
                    {
                        "accepted": state.accepted,
                        "duplicates": state.duplicates,
                        "refused_answers": state.refused_answers,
                        "bad_signatures": state.bad_signatures,
                    },
                )

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.path == "/control":
                with state.lock:
                    state.answer = int(json.loads(body)["status"])
                self._reply(200, {})
                return
            if not verified(secret, self.headers, body):
                with state.lock:
                    state.bad_signatures += 1
                self._reply(401, {"error": "bad signature"})
                return
            with state.lock:
                if state.answer != 200:
                    state.refused_answers += 1
                    self._reply(state.answer, {"error": "unavailable"})
                    return
                key = self.headers["Idempotency-Key"]
                if key in state.accepted:
                    state.duplicates += 1
                else:
                    state.accepted[key] = {
                        "event": json.loads(body),
                        "event_id": self.headers["Finalmile-Event-Id"],
                        "type": self.headers["Finalmile-Event-Type"],
                    }
            self._reply(200, {"ok": True})

    return Handler


def main() -> None:
    port, secret = int(sys.argv[1]), sys.argv[2].encode()
    server = ThreadingHTTPServer(("127.0.0.1", port), handler(State(), secret))
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
