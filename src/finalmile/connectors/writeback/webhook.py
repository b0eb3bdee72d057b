"""Signed JSON webhooks to a PMS (docs/webhooks.md is the receiver's side).

Each request carries ``Finalmile-Timestamp`` (Unix seconds), ``Finalmile-Signature``
(``v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>">``), ``Finalmile-Event-Id`` and
``Idempotency-Key`` (stable across retries and replays). 2xx is delivered; 408, 409, 425, 429
and 5xx are retried, as are connection errors and timeouts; other answers (3xx included: we never
follow redirects with a signed body) are refused for good.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import httpx2

from finalmile.errors import PermanentError, RetriableError
from finalmile.outbox import Effect, Topic
from finalmile.profiles import WebhookTarget

SIGNATURE_VERSION = "v1"
RETRIED_STATUSES = frozenset({408, 409, 425, 429})


def sign(secret: bytes, timestamp: int, body: bytes) -> str:
    """The ``Finalmile-Signature`` value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret, str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"


def body_of(effect: Effect) -> bytes:
    """The JSON body: the event's envelope around its payload (compact, keys sorted)."""
    envelope: dict[str, Any] = {
        "id": effect.event_id,
        "type": effect.topic.value,
        "connector": effect.connector,
        "idempotency_key": effect.idempotency_key,
        "created_at": effect.created_at.isoformat(),
        "data": effect.payload,
    }
    return json.dumps(envelope, separators=(",", ":"), sort_keys=True).encode()


class WebhookWriteback:
    """POSTs signed JSON to one URL."""

    def __init__(
        self,
        settings: WebhookTarget,
        *,
        secret: bytes,
        clock: Callable[[], float] = time.time,
        transport: httpx2.BaseTransport | None = None,
    ) -> None:
        self.name = "webhook"
        self.topics: tuple[Topic, ...] = settings.topics
        self._url = str(settings.url)
        self._secret = secret
        self._clock = clock
        self._http = httpx2.Client(
            timeout=settings.timeout_seconds, transport=transport, follow_redirects=False
        )

    def deliver(self, effect: Effect) -> str:
        """POST the effect once, signed at the current time."""
        body = body_of(effect)
        timestamp = int(self._clock())
        headers = {
            "Content-Type": "application/json",
            "Finalmile-Timestamp": str(timestamp),
            "Finalmile-Signature": sign(self._secret, timestamp, body),
            "Finalmile-Event-Id": str(effect.event_id),
            "Finalmile-Event-Type": effect.topic.value,
            "Idempotency-Key": effect.idempotency_key,
        }
        try:
            response = self._http.post(self._url, content=body, headers=headers)
        except httpx2.TimeoutException:
            raise RetriableError("webhook: no answer within the timeout") from None
        except httpx2.TransportError as exc:
            raise RetriableError(f"webhook: connection failed ({type(exc).__name__})") from None
        status = response.status_code
        if 200 <= status < 300:
            return f"HTTP {status}"
        if status >= 500 or status in RETRIED_STATUSES:
            raise RetriableError(f"webhook: HTTP {status}")
        raise PermanentError(f"webhook: HTTP {status}, refused")

    def close(self) -> None:
        """Close pooled connections."""
        self._http.close()
