"""FHIR R4 write-back: SupplyDelivery by conditional update, MedicationDispense read-modify-write.

The MedicationDispense of an order is found by ``identifier=<order id>`` (the field the FHIR
intake takes the order id from), else read by id. It is updated with ``If-Match`` on the version
read, so a concurrent change at the PMS makes the attempt retry instead of overwriting it.
Connection problems, timeouts, 409/412/429 and 5xx are retried; other 4xx are refused for good.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

import httpx2

from finalmile.connectors.writeback.fhir_resources import (
    FINALMILE_SYSTEM,
    completed_dispense,
    supply_delivery,
    supply_delivery_identifier,
)
from finalmile.errors import ConfigError, PermanentError, RetriableError
from finalmile.outbox import Effect, Topic
from finalmile.profiles import FhirTarget

FHIR_JSON = "application/fhir+json"
RETRIED = frozenset({408, 409, 412, 425, 429})

for _name in ("httpx2", "httpcore2"):  # request URLs carry order numbers: keep them out of logs
    logging.getLogger(_name).setLevel(logging.WARNING)


class FhirWriteback:
    """Talks to one PMS FHIR R4 server."""

    def __init__(
        self,
        settings: FhirTarget,
        *,
        environ: Mapping[str, str] | None = None,
        transport: httpx2.BaseTransport | None = None,
    ) -> None:
        """Raises:
        ConfigError: the bearer token's environment variable is not set.
        """
        self.name = "fhir"
        self.topics: tuple[Topic, ...] = settings.topics
        self._base = str(settings.base_url).rstrip("/")
        headers = {"Accept": FHIR_JSON}
        if settings.bearer_token_env:
            token = (os.environ if environ is None else environ).get(settings.bearer_token_env)
            if not token:
                raise ConfigError(
                    [f"writeback.fhir: environment variable {settings.bearer_token_env} is not set"]
                )
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx2.Client(
            headers=headers,
            timeout=settings.timeout_seconds,
            transport=transport,
            follow_redirects=False,
        )

    def deliver(self, effect: Effect) -> str:
        """Write the SupplyDelivery and, once delivered, complete the MedicationDispense."""
        dispense = self._find_dispense(effect.payload["order_id"])
        done = []
        if effect.topic not in (Topic.SHIPPED, Topic.CANCELLED):
            if dispense is None:
                raise PermanentError("fhir: the order's MedicationDispense does not exist")
            self._update_dispense(effect, dispense)
            done.append("MedicationDispense completed")
        status = self._request(
            "PUT",
            "/SupplyDelivery",
            "SupplyDelivery update",
            params={"identifier": f"{FINALMILE_SYSTEM}|{supply_delivery_identifier(effect)}"},
            json=supply_delivery(effect, dispense),
        ).status_code
        done.append(f"SupplyDelivery HTTP {status}")
        return ", ".join(done)

    def close(self) -> None:
        """Close pooled connections."""
        self._http.close()

    def _find_dispense(self, order_id: str) -> dict[str, Any] | None:
        bundle = self._request(
            "GET",
            "/MedicationDispense",
            "MedicationDispense search",
            params={"identifier": order_id},
        ).json()
        for entry in bundle.get("entry") or []:
            resource = entry.get("resource") or {}
            if resource.get("resourceType") == "MedicationDispense":
                return dict(resource)
        response = self._request(
            "GET", f"/MedicationDispense/{order_id}", "MedicationDispense read", missing_ok=True
        )
        return None if response.status_code in (404, 410) else dict(response.json())

    def _update_dispense(self, effect: Effect, dispense: dict[str, Any]) -> None:
        headers = {}
        version = (dispense.get("meta") or {}).get("versionId")
        if version:
            headers["If-Match"] = f'W/"{version}"'
        self._request(
            "PUT",
            f"/MedicationDispense/{dispense['id']}",
            "MedicationDispense update",
            json=completed_dispense(effect, dispense),
            headers=headers,
        )

    def _request(
        self,
        method: str,
        path: str,
        what: str,
        *,
        params: dict[str, str] | None = None,
        json: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        missing_ok: bool = False,
    ) -> httpx2.Response:
        send_headers = {"Content-Type": FHIR_JSON, **(headers or {})} if json else headers
        try:
            response = self._http.request(
                method, self._base + path, params=params, json=json, headers=send_headers
            )
        except httpx2.TimeoutException:
            raise RetriableError(f"fhir: {what}: no answer within the timeout") from None
        except httpx2.TransportError as exc:
            raise RetriableError(
                f"fhir: {what}: connection failed ({type(exc).__name__})"
            ) from None
        status = response.status_code
        if status < 300 or (missing_ok and status in (404, 410)):
            return response
        if status >= 500 or status in RETRIED:
            raise RetriableError(f"fhir: {what}: HTTP {status}")
        raise PermanentError(f"fhir: {what}: HTTP {status}, refused")
