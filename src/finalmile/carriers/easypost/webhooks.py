"""EasyPost webhooks (pure, SDK-free): verify ``X-Hmac-Signature``, parse tracker Events.

``X-Hmac-Signature: hmac-sha256-hex=<hex>`` is an HMAC-SHA256 of the raw body keyed with the
webhook secret after Unicode NFKD normalisation (``easypost.util.validate_webhook``). It covers
the body only, so a replay is caught by the event id (the body carries it). Comparisons are
constant-time; errors never quote the secret, the signature or the body.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from finalmile.carriers.easypost.settings import EasyPostSettings
from finalmile.carriers.easypost.tracking import tracker_report
from finalmile.carriers.webhooks import SignatureError, WebhookEvent, WebhookRequest, json_object
from finalmile.errors import InputError

PREFIX = "hmac-sha256-hex="
TRACKER_EVENTS = frozenset({"tracker.created", "tracker.updated"})


def signature(body: bytes, secret: str) -> str:
    """The ``X-Hmac-Signature`` value EasyPost sends for ``body`` under ``secret``."""
    key = unicodedata.normalize("NFKD", secret).encode()
    return PREFIX + hmac.new(key, body, hashlib.sha256).hexdigest()


def secrets_of(configured: str) -> tuple[str, ...]:
    """The secrets of a comma-separated setting (several while one is rotated out)."""
    return tuple(s.strip() for s in configured.split(",") if s.strip())


@dataclass(frozen=True)
class EasyPostWebhooks:
    """An EasyPost account's webhooks; any of ``secrets`` verifies (rotation), none: refused."""

    secrets: tuple[str, ...]

    def verify(self, request: WebhookRequest) -> None:
        """Accept the body if its ``X-Hmac-Signature`` matches one of the secrets.

        Raises:
            SignatureError: no secret configured, no header, or it matches none of the secrets.
        """
        if not self.secrets:
            raise SignatureError("EasyPost webhooks are not configured")
        header = request.headers.get("X-Hmac-Signature")
        if not header:
            raise SignatureError("missing X-Hmac-Signature header")
        body = request.body
        if not any(hmac.compare_digest(signature(body, s), header) for s in self.secrets):
            raise SignatureError("X-Hmac-Signature does not match the body")

    def parse(self, request: WebhookRequest) -> WebhookEvent:
        """The Event's id and, for tracker events, the tracker's report."""
        return parse_event(json_object(request.body))


def parse_event(body: Mapping[str, Any]) -> WebhookEvent:
    """The event id and, for ``tracker.created``/``tracker.updated``, the report (else None).

    Raises:
        InputError: the body is not an EasyPost Event, or its tracker has no tracking code.
    """
    event_id = body.get("id")
    if body.get("object") != "Event" or not isinstance(event_id, str) or not event_id:
        raise InputError("not an EasyPost Event", location="id")
    if body.get("description") not in TRACKER_EVENTS:
        return WebhookEvent(event_id, None)
    tracker = body.get("result")
    if not isinstance(tracker, Mapping) or not tracker.get("tracking_code"):
        raise InputError("tracker event without a tracking code", location="result.tracking_code")
    return WebhookEvent(event_id, tracker_report(tracker))


def account_webhooks(settings: EasyPostSettings) -> EasyPostWebhooks:
    """The webhooks of an EasyPost account, verified with its ``webhook_secret``."""
    configured = settings.webhook_secret
    return EasyPostWebhooks(secrets_of(configured.get_secret_value()) if configured else ())
