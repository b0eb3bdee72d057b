"""A small FHIR R4 server standing in for a PMS that takes write-back: MedicationDispense search,
read and versioned update (``If-Match``), SupplyDelivery conditional update by identifier."""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from finalmile_devtools import free_port

FHIR_JSON = "application/fhir+json"


class FhirPms:
    """Resources by (type, id); every update bumps ``meta.versionId``."""

    def __init__(self) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/fhir"
        self.resources: dict[tuple[str, str], dict[str, Any]] = {}
        self.writes: list[tuple[str, str]] = []  # (method, path) of each write
        self.authorizations: set[str | None] = set()  # every Authorization header seen
        self.lock = threading.Lock()

    def put(self, resource: dict[str, Any]) -> None:
        """Store a resource as the PMS's own (version 1)."""
        stored = copy.deepcopy(resource)
        stored["meta"] = {"versionId": "1"}
        self.resources[(stored["resourceType"], stored["id"])] = stored

    def of_type(self, resource_type: str) -> list[dict[str, Any]]:
        """Every stored resource of one type."""
        return [r for (t, _), r in sorted(self.resources.items()) if t == resource_type]

    @contextmanager
    def running(self) -> Iterator[FhirPms]:
        """Serve on ``port`` for the duration of the block."""
        server = uvicorn.Server(
            uvicorn.Config(
                _app(self),
                host="127.0.0.1",
                port=self.port,
                log_config=None,
                access_log=False,
                lifespan="off",
                ws="none",
            )
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), "FHIR PMS did not start"
            time.sleep(0.01)
        try:
            yield self
        finally:
            server.should_exit = True
            thread.join(timeout=10)


def _matches(resource: dict[str, Any], token: str) -> bool:
    system, _, value = token.rpartition("|")
    return any(
        i.get("value") == value and (not system or i.get("system") == system)
        for i in resource.get("identifier") or []
    )


def _fhir(status: int, body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=FHIR_JSON)


def _app(pms: FhirPms) -> FastAPI:
    app = FastAPI()

    @app.middleware("http")
    async def remember_authorization(request: Request, call_next: Any) -> Any:
        pms.authorizations.add(request.headers.get("Authorization"))
        return await call_next(request)

    @app.get("/fhir/MedicationDispense")
    def search(identifier: str) -> JSONResponse:
        found = [r for r in pms.of_type("MedicationDispense") if _matches(r, identifier)]
        entries = [{"resource": r} for r in found]
        return _fhir(200, {"resourceType": "Bundle", "type": "searchset", "entry": entries})

    @app.get("/fhir/MedicationDispense/{resource_id}")
    def read(resource_id: str) -> JSONResponse:
        resource = pms.resources.get(("MedicationDispense", resource_id))
        if resource is None:
            return _fhir(404, {"resourceType": "OperationOutcome"})
        return _fhir(200, resource)

    @app.put("/fhir/MedicationDispense/{resource_id}")
    async def update(resource_id: str, request: Request) -> JSONResponse:
        body = await request.json()
        with pms.lock:
            current = pms.resources.get(("MedicationDispense", resource_id))
            if current is None:
                return _fhir(404, {"resourceType": "OperationOutcome"})
            version = current["meta"]["versionId"]
            if request.headers.get("If-Match") not in (None, f'W/"{version}"'):
                return _fhir(412, {"resourceType": "OperationOutcome"})
            body["meta"] = {"versionId": str(int(version) + 1)}
            pms.resources[("MedicationDispense", resource_id)] = body
            pms.writes.append(("PUT", f"MedicationDispense/{resource_id}"))
        return _fhir(200, body)

    @app.put("/fhir/SupplyDelivery")
    async def conditional_update(identifier: str, request: Request) -> JSONResponse:
        body = await request.json()
        with pms.lock:
            found = [r for r in pms.of_type("SupplyDelivery") if _matches(r, identifier)]
            if len(found) > 1:
                return _fhir(412, {"resourceType": "OperationOutcome"})
            created = not found
            resource_id = found[0]["id"] if found else f"sd-{len(pms.resources) + 1}"
            version = 1 if created else int(found[0]["meta"]["versionId"]) + 1
            body.update(id=resource_id, meta={"versionId": str(version)})
            pms.resources[("SupplyDelivery", resource_id)] = body
            pms.writes.append(("PUT", "SupplyDelivery?identifier"))
        return _fhir(201 if created else 200, body)

    return app
