"""Signed JSON webhooks to a PMS (docs/webhooks.md is the receiver's side).

Each request is signed as the connector's profile says (``signing.py``): Standard Webhooks
(``webhook-id`` = the ``Idempotency-Key``, ``webhook-timestamp``, ``webhook-signature``) or the
older ``Finalmile-Timestamp``/``Finalmile-Signature``; both carry ``Finalmile-Event-Id``,
``Finalmile-Event-Type`` and ``Idempotency-Key`` (stable across retries and replays). 2xx is
delivered; 408, 409, 425, 429 and 5xx are retried, as are connection errors and timeouts; other
answers (3xx included: we never follow redirects with a signed body) are refused for good.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx2

from finalmile.connectors.writeback.events import WebhookEvent, body_of, event_of
from finalmile.connectors.writeback.signing import signature_headers
from finalmile.errors import PermanentError, RetriableError
from finalmile.outbox import Effect, Topic
from finalmile.profiles import WebhookTarget

RETRIED_STATUSES = frozenset({408, 409, 425, 429})


@dataclass(frozen=True)
class Reply:
    """What the receiver answered."""

    status: int
    body: str


class WebhookWriteback:
    """POSTs signed JSON to one URL."""

    def __init__(
        self,
        settings: WebhookTarget,
        *,
        keys: Sequence[bytes],
        clock: Callable[[], float] = time.time,
        transport: httpx2.BaseTransport | None = None,
    ) -> None:
        self.name = "webhook"
        self.topics: tuple[Topic, ...] = settings.topics
        self._url = str(settings.url)
        self._scheme = settings.signature
        self._keys = tuple(keys)
        self._clock = clock
        self._http = httpx2.Client(
            timeout=settings.timeout_seconds, transport=transport, follow_redirects=False
        )

    def deliver(self, effect: Effect) -> str:
        """POST the effect once, signed at the current time."""
        status = self.send(event_of(effect)).status
        if 200 <= status < 300:
            return f"HTTP {status}"
        if status >= 500 or status in RETRIED_STATUSES:
            raise RetriableError(f"webhook: HTTP {status}")
        raise PermanentError(f"webhook: HTTP {status}, refused")

    def send(self, event: WebhookEvent) -> Reply:
        """POST one event, signed now; the answer whatever its status.

        Raises:
            RetriableError: no answer (timeout, connection failed).
        """
        body = body_of(event)
        headers = {
            "Content-Type": "application/json",
            **signature_headers(
                self._scheme, self._keys, event.idempotency_key, int(self._clock()), body
            ),
            "Finalmile-Event-Id": "" if event.id is None else str(event.id),
            "Finalmile-Event-Type": event.type,
            "Idempotency-Key": event.idempotency_key,
        }
        try:
            response = self._http.post(self._url, content=body, headers=headers)
        except httpx2.TimeoutException:
            raise RetriableError("webhook: no answer within the timeout") from None
        except httpx2.TransportError as exc:
            raise RetriableError(f"webhook: connection failed ({type(exc).__name__})") from None
        return Reply(response.status_code, response.text)

    def close(self) -> None:
        """Close pooled connections."""
        self._http.close()
