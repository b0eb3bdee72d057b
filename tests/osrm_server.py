"""A local stand-in for an OSRM server's table service, on a free loopback port in a thread.

Every trip between two different points of a request takes ``leg_seconds`` and ``leg_metres``
(trips within one point: 0), so plans priced on it are easy to tell from great-circle ones. It
records the number of points of each request and answers 503 while ``down`` is set.
"""

from __future__ import annotations

import re
import threading
from http.server import ThreadingHTTPServer
from typing import Any

from finalmile_devtools.json_handler import JsonHandler

TABLE = re.compile(r"^/table/v1/driving/([^?]+)\?annotations=duration,distance$")


class FakeOsrm:
    """``with FakeOsrm() as engine:`` serves ``engine.url`` until the block ends."""

    def __init__(self, *, leg_seconds: int = 600, leg_metres: int = 5_000) -> None:
        self.leg_seconds, self.leg_metres = leg_seconds, leg_metres
        self.requests: list[int] = []
        self.down = False
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), daemon=True
        )

    def __enter__(self) -> FakeOsrm:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)

    def table(self, points: int) -> dict[str, Any]:
        """The answer for a request over ``points`` points."""

        def square(value: int) -> list[list[int]]:
            return [[0 if i == j else value for j in range(points)] for i in range(points)]

        return {
            "code": "Ok",
            "durations": square(self.leg_seconds),
            "distances": square(self.leg_metres),
        }

    def _handler(self) -> type[JsonHandler]:
        engine = self

        class Handler(JsonHandler):
            def do_GET(self) -> None:
                found = TABLE.match(self.path)
                if engine.down or found is None:
                    self.answer_json(503 if engine.down else 400, {"code": "InvalidUrl"})
                    return
                points = found.group(1).count(";") + 1
                engine.requests.append(points)
                self.answer_json(200, engine.table(points))

        return Handler
