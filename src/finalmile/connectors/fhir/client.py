"""A small FHIR R4 REST client (R4 §3.1.0 RESTful API): search with paging, and read.

Only what the poller and the reference resolver need. Failures are classified by what the caller
does next: ``FhirUnavailableError`` (connection problems, timeouts, 429, 5xx: try again later)
and ``FhirRefusedError`` (other 4xx: fix the configuration). Error messages name the resource
type and the HTTP status, never a URL with ids or query values.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx2
import structlog

from finalmile.errors import ConfigError, PermanentError, RetriableError
from finalmile.profiles import ConnectorProfile, FhirServer

log = structlog.get_logger(__name__)

FHIR_JSON = "application/fhir+json"

# httpx2 logs every request's URL at INFO (resource ids, search values) and its transport logs
# headers at DEBUG: neither belongs in our logs.
for _name in ("httpx2", "httpcore2"):
    logging.getLogger(_name).setLevel(logging.WARNING)
#: ``Type/id`` or ``Type/id/_history/vid`` (R4 §2.3.0 literal references, §2.1.0.1 ids).
_RELATIVE = re.compile(
    r"^[A-Z][A-Za-z]{1,63}/[A-Za-z0-9\-.]{1,64}(/_history/[A-Za-z0-9\-.]{1,64})?$"
)


class FhirUnavailableError(RetriableError):
    """The FHIR server cannot answer now (connection, timeout, 429, 5xx)."""


class FhirRefusedError(PermanentError):
    """The FHIR server refused the request (4xx other than 429)."""

    def __init__(self, message: str, *, status_code: int) -> None:
        self.status_code = status_code
        super().__init__(message)


@dataclass(frozen=True)
class SearchPage:
    """One page of a search: its matched resources (in order) and the ``next`` link."""

    resources: list[dict[str, Any]]
    next_url: str | None


class FhirClient:
    """Talks to one FHIR R4 server; thread-safe (one pooled ``httpx2.Client``)."""

    def __init__(
        self,
        server: FhirServer,
        *,
        environ: Mapping[str, str] | None = None,
        transport: httpx2.BaseTransport | None = None,
    ) -> None:
        """Args:
        environ: where the secrets named in ``server.auth`` are read (default ``os.environ``).

        Raises:
            ConfigError: a secret's environment variable is not set.
        """
        self.base_url = str(server.base_url).rstrip("/")
        self._http = httpx2.Client(
            auth=_auth(server, os.environ if environ is None else environ),
            headers={"Accept": FHIR_JSON},
            timeout=server.timeout_seconds,
            transport=transport,
            follow_redirects=False,
        )

    def close(self) -> None:
        """Close pooled connections."""
        self._http.close()

    def search(self, resource_type: str, params: Mapping[str, str]) -> Iterator[SearchPage]:
        """Search ``resource_type`` and yield each page, following ``next`` links.

        Raises:
            FhirUnavailableError: try again later.
            FhirRefusedError: the server refused the search, or a ``next`` link leaves the server.
        """
        url: str | None = f"{self.base_url}/{resource_type}"
        query: Mapping[str, str] | None = params
        while url is not None:
            bundle = self._get(url, query, what=f"{resource_type} search", missing_ok=False)
            if bundle is None or bundle.get("resourceType") != "Bundle":
                raise FhirRefusedError(
                    f"the {resource_type} search did not answer with a Bundle", status_code=200
                )
            url, query = _next_link(bundle), None
            yield SearchPage(_matches(bundle), url)
            if url is not None and not url.startswith(self.base_url + "/"):
                # Credentials go to the configured server only.
                raise FhirRefusedError(
                    f"the {resource_type} search's next link leaves the configured base URL",
                    status_code=200,
                )

    def read(self, reference: str) -> dict[str, Any] | None:
        """The resource a literal reference (``Patient/1``, or absolute on this server) names.

        None when it does not exist (404, 410) or is not a reference to this server.

        Raises:
            FhirUnavailableError: try again later.
            FhirRefusedError: the server refused the read (401, 403, 400...).
        """
        relative = self.relative(reference)
        if relative is None:
            return None
        kind = relative.split("/", 1)[0]
        resource = self._get(
            f"{self.base_url}/{relative}", None, what=f"{kind} read", missing_ok=True
        )
        if resource is None or resource.get("resourceType") != kind:
            return None
        return resource

    def resolve(self, reference: str) -> dict[str, Any] | None:
        """``read``, where a refused read is a reference that cannot be reached (None).

        Raises:
            FhirUnavailableError: try again later.
        """
        try:
            return self.read(reference)
        except FhirRefusedError:
            return None

    def resolve_or_none(self, reference: str) -> dict[str, Any] | None:
        """``resolve`` for the mapping of a received payload: it never raises.

        The payload is already received and must be kept, so an unavailable server makes the
        reference unresolvable (the message is stored rejected with the reference's path, and
        replayable) rather than a crash of the mapping.
        """
        try:
            return self.resolve(reference)
        except FhirUnavailableError as exc:
            log.warning("fhir_reference_unavailable", reason=str(exc))
            return None

    def relative(self, reference: str) -> str | None:
        """``Type/id[/_history/vid]`` of a reference to this server, else None."""
        if reference.startswith(self.base_url + "/"):
            reference = reference[len(self.base_url) + 1 :]
        return reference if _RELATIVE.match(reference) else None

    def full_url(self, resource: Mapping[str, Any]) -> str:
        """The absolute URL of a resource of this server (its Bundle ``fullUrl``)."""
        return f"{self.base_url}/{resource['resourceType']}/{resource['id']}"

    def _get(
        self, url: str, params: Mapping[str, str] | None, *, what: str, missing_ok: bool
    ) -> dict[str, Any] | None:
        """The JSON object answered; None for a non-object, or for 404/410 when ``missing_ok``."""
        try:
            response = self._http.get(url, params=params)
        except httpx2.TransportError as exc:
            raise FhirUnavailableError(
                f"{what}: the FHIR server is unreachable ({type(exc).__name__})"
            ) from None
        status = response.status_code
        if status in (404, 410) and missing_ok:
            return None
        if status == 429 or status >= 500:
            raise FhirUnavailableError(f"{what}: the FHIR server answered HTTP {status}")
        if status >= 300:
            raise FhirRefusedError(
                f"{what}: the FHIR server answered HTTP {status}", status_code=status
            )
        try:
            body = response.json()
        except ValueError:
            raise FhirUnavailableError(
                f"{what}: the FHIR server answered with invalid JSON"
            ) from None
        return body if isinstance(body, dict) else None


def _next_link(bundle: Mapping[str, Any]) -> str | None:
    """The ``next`` link of a searchset Bundle (R4 §3.1.1.5.5 paging)."""
    link = next((k for k in bundle.get("link") or [] if k.get("relation") == "next"), None)
    url = link.get("url") if link else None
    return str(url) if url else None


def _matches(bundle: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The entries a searchset Bundle returns as matches (R4 §3.1.1.5.6), in order."""
    found = []
    for entry in bundle.get("entry") or []:
        resource = entry.get("resource")
        mode = (entry.get("search") or {}).get("mode", "match")
        if isinstance(resource, dict) and mode == "match":
            found.append(resource)
    return found


def _auth(server: FhirServer, environ: Mapping[str, str]) -> httpx2.Auth | None:
    auth = server.auth
    if auth.bearer_token_env:
        return _BearerAuth(_secret(environ, auth.bearer_token_env))
    if auth.username and auth.password_env:
        return httpx2.BasicAuth(auth.username, _secret(environ, auth.password_env))
    return None


def _secret(environ: Mapping[str, str], name: str) -> str:
    value = environ.get(name)
    if not value:
        raise ConfigError([f"environment variable {name} (a FHIR server secret) is not set"])
    return value


class _BearerAuth(httpx2.Auth):
    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    def auth_flow(
        self, request: httpx2.Request
    ) -> Generator[httpx2.Request, httpx2.Response, None]:
        request.headers["Authorization"] = self._header
        yield request


def clients_for(
    profiles: Iterable[ConnectorProfile], *, environ: Mapping[str, str] | None = None
) -> dict[str, FhirClient]:
    """A client per connector that has a FHIR server to poll, by connector name.

    Raises:
        ConfigError: listing every connector whose secrets are missing.
    """
    clients: dict[str, FhirClient] = {}
    errors: list[str] = []
    for profile in profiles:
        if profile.fhir is None or profile.fhir.server is None:
            continue
        try:
            clients[profile.name] = FhirClient(profile.fhir.server, environ=environ)
        except ConfigError as exc:
            errors += [f"connector {profile.name!r} (fhir.server.auth): {e}" for e in exc.errors]
    if errors:
        for client in clients.values():
            client.close()
        raise ConfigError(errors)
    return clients
