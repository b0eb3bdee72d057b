"""Webhook support, separate from the core carrier Protocols: verify a delivery, then parse it.

An integration that takes webhooks gives its ``CarrierInfo`` a ``webhooks`` factory: from an
account's settings (its webhook secret) it builds a ``SupportsWebhooks``. ``verify`` refuses an
unsigned, forged or stale delivery (and every delivery when the account has no secret);
``parse`` turns a verified body into the provider's event id and a ``TrackingReport``, the same
model ``Tracking.track`` returns. Both are pure and SDK-free.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from finalmile.carriers.base import TrackingReport
from finalmile.carriers.codes import CarrierCode
from finalmile.errors import AuthError, InputError
from finalmile.jsonlimits import check_depth


class SignatureError(AuthError):
    """A webhook is unsigned, forged or stale, or its receiver has no secret (HTTP 401)."""


@dataclass(frozen=True)
class WebhookRequest:
    """One delivery as received: raw body, headers (case-insensitive), query and arrival time."""

    body: bytes
    headers: Mapping[str, str]
    query: Mapping[str, str]
    received_at: float  # Unix seconds


@dataclass(frozen=True)
class WebhookEvent:
    """A verified delivery: the provider's event id and its report (None: not a tracking event)."""

    event_id: str
    report: TrackingReport | None


@runtime_checkable
class SupportsWebhooks(Protocol):
    """Verify and parse one provider's webhooks for one account."""

    def verify(self, request: WebhookRequest) -> None:
        """Accept an authentic delivery.

        Raises:
            SignatureError: unsigned, forged, stale, or no secret configured.
        """
        ...

    def parse(self, request: WebhookRequest) -> WebhookEvent:
        """The event id and report of a verified delivery.

        Raises:
            InputError: the body is not one of the provider's events.
        """
        ...


def json_object(body: bytes) -> dict[str, Any]:
    """A webhook body as a JSON object.

    Raises:
        InputError: the body is not JSON, or not an object.
    """
    check_depth(body)
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InputError(
            "body is not JSON", location="body", code=CarrierCode.INVALID_JSON
        ) from None
    if not isinstance(data, dict):
        raise InputError(
            "body is not a JSON object", location="body", code=CarrierCode.INVALID_JSON
        )
    return data
