"""JSON over HTTP to a third-party courier, with signed bodies and idempotency keys."""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from finalmile.carriers.errors import RateLimitedError, UncertainOutcomeError
from finalmile.errors import ConfigError, PermanentError

SIGNATURE_HEADER = "X-Finalmile-Signature"


def sign(body: bytes, secret: str) -> str:
    """The signature header value of ``body``: ``sha256=<hex HMAC-SHA256>``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class CourierClient:
    """Calls one courier's API; failures become our retriable/uncertain/permanent errors."""

    def __init__(
        self, endpoint: str, *, api_key: str | None, secret: str | None, timeout: float
    ) -> None:
        if urlsplit(endpoint).scheme not in ("http", "https"):
            raise ConfigError([f"courier endpoint must be http(s): {endpoint!r}"])
        self.endpoint = endpoint.rstrip("/")
        self.api_key = api_key
        self.secret = secret
        self.timeout = timeout

    def call(
        self, method: str, path: str, body: dict[str, Any] | None = None, *, key: str | None = None
    ) -> dict[str, Any]:
        """``method path`` with a JSON body; ``key`` is sent as ``Idempotency-Key``."""
        data = json.dumps(body, separators=(",", ":")).encode() if body is not None else None
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
            if self.secret:
                headers[SIGNATURE_HEADER] = sign(data, self.secret)
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        if key:
            headers["Idempotency-Key"] = key
        request = urllib.request.Request(  # noqa: S310 - scheme checked in __init__
            self.endpoint + path, data=data, headers=headers, method=method
        )
        where = f"courier {method} {path.split('/')[1] if '/' in path else path}"
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                payload = response.read()
        except urllib.error.HTTPError as exc:
            if exc.code == 429:
                after = exc.headers.get("Retry-After")
                raise RateLimitedError(
                    f"{where}: rate limited (429)", retry_after=float(after) if after else None
                ) from None
            if exc.code >= 500:
                raise UncertainOutcomeError(f"{where}: HTTP {exc.code}, outcome unknown") from None
            raise PermanentError(f"{where}: HTTP {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise UncertainOutcomeError(f"{where}: {type(exc).__name__}, outcome unknown") from None
        try:
            answer = json.loads(payload or b"{}")
        except ValueError:
            raise UncertainOutcomeError(f"{where}: unreadable answer") from None
        if not isinstance(answer, dict):
            raise UncertainOutcomeError(f"{where}: unexpected answer")
        return answer
