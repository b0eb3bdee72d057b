"""Webhook signatures: Standard Webhooks (the default) and finalmile's older scheme.

Standard Webhooks (https://www.standardwebhooks.com): ``webhook-id``, ``webhook-timestamp``
(Unix seconds) and ``webhook-signature``: ``v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">``
keyed with the bytes of a ``whsec_<base64>`` secret, one such signature per secret in force,
separated by spaces (rotation). The older ``finalmile`` scheme: ``Finalmile-Timestamp`` and
``Finalmile-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`` keyed with the secret's
UTF-8 bytes. ``verify`` is the receiving side, for ``finalmile webhooks verify``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from finalmile.profiles import SignatureScheme

SECRET_PREFIX = "whsec_"  # noqa: S105 - the prefix, not a secret
#: The secret sizes the specification allows, in bytes.
SECRET_BYTES = (24, 64)
#: The replay window a receiver should allow (the specification's libraries use 5 minutes).
TOLERANCE_SECONDS = 300


def standard_secret(text: str) -> bytes:
    """The key bytes of a ``whsec_<base64>`` secret.

    Raises:
        ValueError: not ``whsec_`` + base64 of 24 to 64 bytes (the secret is never quoted).
    """
    if not text.startswith(SECRET_PREFIX):
        raise ValueError(f"a Standard Webhooks secret starts with {SECRET_PREFIX}")
    try:
        key = base64.b64decode(text.removeprefix(SECRET_PREFIX), validate=True)
    except binascii.Error:
        raise ValueError(f"the part after {SECRET_PREFIX} is not base64") from None
    low, high = SECRET_BYTES
    if not low <= len(key) <= high:
        raise ValueError(f"the secret is {len(key)} bytes; Standard Webhooks wants {low} to {high}")
    return key


def sign_standard(keys: Sequence[bytes], msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value: one ``v1,<base64>`` per key, space-separated."""
    content = f"{msg_id}.{timestamp}.".encode() + body
    return " ".join(
        "v1," + base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()
        for key in keys
    )


def sign_finalmile(secret: bytes, timestamp: int, body: bytes) -> str:
    """The older ``Finalmile-Signature`` value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret, str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def signature_headers(
    scheme: SignatureScheme, keys: Sequence[bytes], msg_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    """The headers that sign one request under ``scheme``."""
    if scheme is SignatureScheme.STANDARD:
        return {
            "webhook-id": msg_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign_standard(keys, msg_id, timestamp, body),
        }
    return {
        "Finalmile-Timestamp": str(timestamp),
        "Finalmile-Signature": sign_finalmile(keys[0], timestamp, body),
    }


@dataclass(frozen=True)
class Verdict:
    """What ``verify`` found: the scheme, whether a signature matched, the timestamp's age."""

    scheme: SignatureScheme
    signature_ok: bool
    age_seconds: int | None
    problem: str | None

    def ok(self, tolerance_seconds: int | None = TOLERANCE_SECONDS) -> bool:
        """Valid: a signature matched and (unless ``None``) the age is within the tolerance."""
        if not self.signature_ok or self.age_seconds is None:
            return False
        return tolerance_seconds is None or abs(self.age_seconds) <= tolerance_seconds


def verify(secret: str, headers: Mapping[str, str], body: bytes, *, now: int) -> Verdict:
    """Check a captured request; the scheme follows from its headers.

    ``secret`` is ``whsec_...`` for Standard Webhooks, the raw secret for the older scheme.
    """
    lower = {name.lower(): value for name, value in headers.items()}
    if "webhook-signature" in lower:
        scheme, stamp = SignatureScheme.STANDARD, lower.get("webhook-timestamp", "")
    elif "finalmile-signature" in lower:
        scheme, stamp = SignatureScheme.FINALMILE, lower.get("finalmile-timestamp", "")
    else:
        return Verdict(
            SignatureScheme.STANDARD, False, None, "no webhook-signature or Finalmile-Signature"
        )
    if not stamp.isdigit():
        return Verdict(scheme, False, None, "the timestamp header is missing or not Unix seconds")
    timestamp, age = int(stamp), now - int(stamp)
    if scheme is SignatureScheme.FINALMILE:
        expected = sign_finalmile(secret.encode(), timestamp, body)
        matched = hmac.compare_digest(expected, lower["finalmile-signature"])
        return Verdict(scheme, matched, age, None if matched else "the signature does not match")
    msg_id = lower.get("webhook-id", "")
    if not msg_id:
        return Verdict(scheme, False, age, "the webhook-id header is missing")
    try:
        key = standard_secret(secret)
    except ValueError as exc:
        return Verdict(scheme, False, age, f"secret: {exc}")
    expected = sign_standard([key], msg_id, timestamp, body)
    matched = any(
        hmac.compare_digest(expected, sent) for sent in lower["webhook-signature"].split()
    )
    return Verdict(scheme, matched, age, None if matched else "no signature matches this secret")
