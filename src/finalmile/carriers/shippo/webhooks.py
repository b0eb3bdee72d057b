"""Shippo webhooks (pure, SDK-free): verify the URL token and signature, parse ``track_updated``.

A self-generated ``token`` in the webhook URL's query string proves the sender; with HMAC
security enabled for the account, ``Shippo-Auth-Signature: t=<unix seconds>,v1=<hex>`` is an
HMAC-SHA256 of ``"<t>." + body`` with the shared secret, and ``t`` must be within the tolerance of
our clock. A Shippo event has no id of its own: its identity is the SHA-256 of the body, so a
resent (or replayed) body counts once. Comparisons are constant-time; errors never quote the
secret, the signature or the body.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from finalmile.carriers.shippo.settings import ShippoSettings
from finalmile.carriers.shippo.tracking import track_report
from finalmile.carriers.webhooks import SignatureError, WebhookEvent, WebhookRequest, json_object
from finalmile.errors import InputError

#: Unix seconds: ASCII digits, bounded (an unbounded int() of thousands of digits raises).
_UNIX_SECONDS = re.compile(r"[0-9]{1,12}")


def signature(body: bytes, secret: str, timestamp: int) -> str:
    """The ``Shippo-Auth-Signature`` value for ``body`` sent at ``timestamp`` (Unix seconds)."""
    message = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def event_id(raw: bytes) -> str:
    """The identity of a Shippo webhook delivery: the SHA-256 of its body."""
    return "sha256:" + hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True)
class ShippoWebhooks:
    """A Shippo account's webhooks: its URL ``token`` (None: refused) and optional HMAC secret."""

    token: str | None
    secret: str | None
    tolerance_seconds: float

    def verify(self, request: WebhookRequest) -> None:
        """Accept the delivery if its token matches and, with a secret, its signature too.

        Raises:
            SignatureError: no token configured, a missing or wrong token, or (with a secret) a
                missing, malformed, stale, future or wrong signature.
        """
        if self.token is None:
            raise SignatureError("Shippo webhooks are not configured")
        given = request.query.get("token")
        if not given or not hmac.compare_digest(given.encode(), self.token.encode()):
            raise SignatureError("missing or wrong webhook token")
        if self.secret is not None:
            self._verify_signature(request)

    def _verify_signature(self, request: WebhookRequest) -> None:
        assert self.secret is not None
        header = request.headers.get("Shippo-Auth-Signature")
        if not header:
            raise SignatureError("missing Shippo-Auth-Signature header")
        fields: dict[str, list[str]] = {}
        for part in header.split(","):
            name, _, value = part.strip().partition("=")
            fields.setdefault(name, []).append(value)
        stamps = fields.get("t", [])
        if len(stamps) != 1 or not _UNIX_SECONDS.fullmatch(stamps[0]) or not fields.get("v1"):
            raise SignatureError("malformed Shippo-Auth-Signature header")
        timestamp = int(stamps[0])
        if abs(request.received_at - timestamp) > self.tolerance_seconds:
            raise SignatureError("Shippo-Auth-Signature timestamp outside the tolerance")
        expected = signature(request.body, self.secret, timestamp).rpartition("v1=")[2]
        if not any(hmac.compare_digest(expected, given) for given in fields["v1"]):
            raise SignatureError("Shippo-Auth-Signature does not match the body")

    def parse(self, request: WebhookRequest) -> WebhookEvent:
        """The body's hash as event id and, for ``track_updated``, the Track's report."""
        return parse_event(json_object(request.body), event_id(request.body))


def parse_event(body: Mapping[str, Any], identity: str) -> WebhookEvent:
    """The event under ``identity`` with, for ``track_updated``, its report (else None).

    Raises:
        InputError: a track event without a tracking number.
    """
    if body.get("event") != "track_updated":
        return WebhookEvent(identity, None)
    data = body.get("data")
    if not isinstance(data, Mapping) or not data.get("tracking_number"):
        raise InputError("track event without a tracking number", location="data.tracking_number")
    return WebhookEvent(identity, track_report(data))


def account_webhooks(settings: ShippoSettings) -> ShippoWebhooks:
    """The webhooks of a Shippo account, verified with its token and (optional) HMAC secret."""
    token, secret = settings.webhook_token, settings.webhook_secret
    return ShippoWebhooks(
        token=token.get_secret_value() if token else None,
        secret=secret.get_secret_value() if secret else None,
        tolerance_seconds=settings.webhook_tolerance_seconds,
    )
