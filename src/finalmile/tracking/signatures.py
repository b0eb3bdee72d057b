"""Webhook authenticity checks (pure): EasyPost's HMAC header, Shippo's URL token and signature.

EasyPost (``easypost.util.validate_webhook``): ``X-Hmac-Signature: hmac-sha256-hex=<hex>``, an
HMAC-SHA256 of the raw body keyed with the webhook secret after Unicode NFKD normalisation. The
signature covers the body only, so a replay is caught by the event id (the body carries it).

Shippo: a self-generated ``token`` in the webhook URL's query string, and (HMAC security, when
enabled for the account) ``Shippo-Auth-Signature: t=<unix seconds>,v1=<hex>``, an HMAC-SHA256 of
``"<t>." + body`` with the shared secret; ``t`` must be within the tolerance of our clock.

Comparisons are constant-time. Errors never quote the secret, the signature or the body.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from collections.abc import Sequence

from finalmile.errors import AuthError

EASYPOST_PREFIX = "hmac-sha256-hex="


class SignatureError(AuthError):
    """A webhook is unsigned, forged or stale (HTTP 401)."""


def easypost_signature(body: bytes, secret: str) -> str:
    """The ``X-Hmac-Signature`` value EasyPost sends for ``body`` under ``secret``."""
    key = unicodedata.normalize("NFKD", secret).encode()
    return EASYPOST_PREFIX + hmac.new(key, body, hashlib.sha256).hexdigest()


def verify_easypost(body: bytes, header: str | None, secrets: Sequence[str]) -> None:
    """Accept ``body`` if ``header`` is its signature under one of ``secrets`` (rotation).

    Raises:
        SignatureError: no header, or it matches none of the secrets.
    """
    if not header:
        raise SignatureError("missing X-Hmac-Signature header")
    if not any(hmac.compare_digest(easypost_signature(body, s), header) for s in secrets):
        raise SignatureError("X-Hmac-Signature does not match the body")


def verify_shippo_token(given: str | None, expected: str) -> None:
    """Accept the request if the URL's ``token`` equals the configured one.

    Raises:
        SignatureError: no token, or a different one.
    """
    if not given or not hmac.compare_digest(given.encode(), expected.encode()):
        raise SignatureError("missing or wrong webhook token")


def shippo_signature(body: bytes, secret: str, timestamp: int) -> str:
    """The ``Shippo-Auth-Signature`` value for ``body`` sent at ``timestamp`` (Unix seconds)."""
    message = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_shippo_signature(
    body: bytes, header: str | None, secret: str, *, now: float, tolerance_seconds: float
) -> None:
    """Accept ``body`` if ``header`` signs it with ``secret`` at a time close to ``now``.

    Raises:
        SignatureError: no or malformed header, a stale or future timestamp, or a bad signature.
    """
    if not header:
        raise SignatureError("missing Shippo-Auth-Signature header")
    fields: dict[str, list[str]] = {}
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        fields.setdefault(name, []).append(value)
    stamps = fields.get("t", [])
    if len(stamps) != 1 or not stamps[0].isdigit() or not fields.get("v1"):
        raise SignatureError("malformed Shippo-Auth-Signature header")
    timestamp = int(stamps[0])
    if abs(now - timestamp) > tolerance_seconds:
        raise SignatureError("Shippo-Auth-Signature timestamp outside the tolerance")
    expected = shippo_signature(body, secret, timestamp).rpartition("v1=")[2]
    if not any(hmac.compare_digest(expected, given) for given in fields["v1"]):
        raise SignatureError("Shippo-Auth-Signature does not match the body")
