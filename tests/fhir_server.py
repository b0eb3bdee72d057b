"""A small FHIR R4 server standing in for a PMS, run by uvicorn on a loopback port in a thread.

It keeps resources in memory (each ``put`` is a new version with its own ``meta.lastUpdated``) and
answers what the poller asks: ``GET /fhir/{type}`` searches with ``_lastUpdated`` (prefixes gt, ge,
lt, le), ``_sort=_lastUpdated``, ``_count`` and offset paging (``_offset``, ``next`` links as
absolute URLs, computed afresh on every request like a server without search snapshots), and
``focus`` (comma-separated references, for Task); ``GET /fhir/{type}/{id}`` reads. With a token it
requires ``Authorization: Bearer <token>`` (or whatever ``authorization`` is set to).
``before_request`` lets a test fail a request (return a status) or change the data between pages;
``next_link_base`` sends ``next`` links elsewhere.
"""

from __future__ import annotations

import copy
import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from finalmile_devtools import free_port

FHIR_JSON = "application/fhir+json"
#: The first ``put`` without ``at`` is stamped at this instant, each later one a second later.
EPOCH = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Seen:
    """One request as the server received it."""

    path: str
    query: dict[str, str]
    authorization: str | None


class FhirTestServer:
    """The server and its data; use as a context manager, or ``start``/``stop`` (restartable)."""

    def __init__(self, *, token: str | None = None) -> None:
        #: The Authorization header every request must carry (None: no authentication).
        self.authorization = f"Bearer {token}" if token else None
        self.port = free_port()
        self.resources: dict[tuple[str, str], dict[str, Any]] = {}
        self.requests: list[Seen] = []
        self.before_request: Callable[[Seen], int | None] | None = None
        #: When set, ``next`` links point there instead of to this server.
        self.next_link_base: str | None = None
        self._clock = EPOCH
        self._lock = threading.Lock()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """The FHIR base URL."""
        return f"http://127.0.0.1:{self.port}/fhir"

    def put(self, resource: dict[str, Any], *, at: dt.datetime | None = None) -> dict[str, Any]:
        """Store a new version of ``resource`` (updated at ``at``); returns the stored copy."""
        with self._lock:
            if at is None:
                at, self._clock = self._clock, self._clock + dt.timedelta(seconds=1)
            key = (resource["resourceType"], resource["id"])
            previous = self.resources.get(key)
            version = int(previous["meta"]["versionId"]) + 1 if previous else 1
            stored = copy.deepcopy(resource)
            stored["meta"] = {
                **resource.get("meta", {}),
                "versionId": str(version),
                "lastUpdated": at.isoformat(timespec="milliseconds"),
            }
            self.resources[key] = stored
            return copy.deepcopy(stored)

    def searches(self, resource_type: str) -> list[Seen]:
        """The search requests received for ``resource_type``."""
        return [r for r in self.requests if r.path == f"/fhir/{resource_type}"]

    def start(self) -> None:
        """Serve on ``port`` until ``stop``."""
        config = uvicorn.Config(
            _app(self),
            host="127.0.0.1",
            port=self.port,
            log_config=None,
            access_log=False,
            lifespan="off",
            ws="none",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the test FHIR server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        """Stop serving: connections are refused until ``start``."""
        assert self._server is not None and self._thread is not None
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._server = self._thread = None

    def __enter__(self) -> FhirTestServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self.stop()

    def search(self, resource_type: str, query: dict[str, str]) -> list[dict[str, Any]]:
        """Every stored ``resource_type`` matching ``query``, sorted as asked."""
        with self._lock:
            found = [copy.deepcopy(r) for (t, _), r in self.resources.items() if t == resource_type]
        if "_lastUpdated" in query:
            found = [r for r in found if _compare(r, query["_lastUpdated"])]
        if "focus" in query:
            wanted = set(query["focus"].split(","))
            found = [r for r in found if (r.get("focus") or {}).get("reference") in wanted]
        if query.get("_sort") in ("_lastUpdated", "-_lastUpdated"):
            found.sort(
                key=lambda r: (_instant(r["meta"]["lastUpdated"]), r["id"]),
                reverse=query["_sort"].startswith("-"),
            )
        return found


def _compare(resource: dict[str, Any], condition: str) -> bool:
    prefix, value = condition[:2], _instant(condition[2:])
    stamp = _instant(resource["meta"]["lastUpdated"])
    return {
        "gt": stamp > value,
        "ge": stamp >= value,
        "lt": stamp < value,
        "le": stamp <= value,
    }[prefix]


def _instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _outcome(status: int, text: str) -> JSONResponse:
    body = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": "processing", "diagnostics": text}],
    }
    return JSONResponse(body, status_code=status, media_type=FHIR_JSON)


def _app(server: FhirTestServer) -> FastAPI:
    app = FastAPI()

    @app.middleware("http")
    async def record(request: Request, call_next: Any) -> Any:
        seen = Seen(
            request.url.path, dict(request.query_params), request.headers.get("authorization")
        )
        server.requests.append(seen)
        if server.authorization is not None and seen.authorization != server.authorization:
            return _outcome(401, "authentication required")
        status = server.before_request(seen) if server.before_request else None
        if status is not None:
            return _outcome(status, "failure requested by the test")
        return await call_next(request)

    @app.get("/fhir/{resource_type}")
    def search(resource_type: str, request: Request) -> JSONResponse:
        query = dict(request.query_params)
        count, offset = int(query.get("_count", "10")), int(query.get("_offset", "0"))
        found = server.search(resource_type, query)
        page = found[offset : offset + count]
        links = [{"relation": "self", "url": str(request.url)}]
        if offset + count < len(found):
            after = str(request.url.include_query_params(_offset=offset + count))
            if server.next_link_base is not None:
                after = after.replace(server.base_url, server.next_link_base)
            links.append({"relation": "next", "url": after})
        bundle = {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(found),
            "link": links,
            "entry": [
                {
                    "fullUrl": f"{server.base_url}/{resource_type}/{r['id']}",
                    "resource": r,
                    "search": {"mode": "match"},
                }
                for r in page
            ],
        }
        return JSONResponse(bundle, media_type=FHIR_JSON)

    @app.get("/fhir/{resource_type}/{resource_id}")
    def read(resource_type: str, resource_id: str) -> JSONResponse:
        resource = server.resources.get((resource_type, resource_id))
        if resource is None:
            return _outcome(404, f"{resource_type}/{resource_id} is not known")
        return JSONResponse(resource, media_type=FHIR_JSON)

    return app
