"""Settings of a Shippo account."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from finalmile.carriers.settings import CarrierSettings


class ShippoSettings(CarrierSettings):
    """A Shippo account.

    Shippo publishes per-minute limits per endpoint and verb: 500 POSTs a minute on shipments
    and transactions with a live token (50 with a test token), 4000 single GETs and only 50 list
    GETs a minute. The default request rate (8/s = 480/min) keeps a live token under the POST
    limit; set ``requests_per_second`` to 0.8 for a test token. Reconciliation lists transactions
    by rate, which counts against the 50/min list limit, so it runs only after an uncertain buy.
    """

    type: Literal["shippo"] = "shippo"
    api_key: SecretStr = Field(title="API token", description="shippo_live_... or shippo_test_...")
    server_url: str = Field(
        default="https://api.goshippo.com",
        title="API base URL",
        description="Point it at the sandbox for demos and tests",
    )
    webhook_token: SecretStr | None = Field(
        default=None,
        title="Webhook token",
        description="The ?token= of this account's webhook URL, POST /webhooks/{account}. "
        "Unset: that route refuses everything",
    )
    webhook_secret: SecretStr | None = Field(
        default=None,
        title="Webhook HMAC secret",
        description="When set, Shippo-Auth-Signature (t=...,v1=...) is required as well",
    )
    webhook_tolerance_seconds: float = Field(
        default=300.0, gt=0, title="Webhook timestamp tolerance", description="Signed timestamps"
    )
    max_concurrency: int = Field(default=8, ge=1, title="Concurrent requests")
    requests_per_second: float = Field(default=8.0, gt=0, title="Request rate")
    label_poll_seconds: float = Field(
        default=0.5, gt=0, title="Label poll interval", description="While a label is QUEUED"
    )
    label_wait_seconds: float = Field(
        default=30.0, gt=0, title="Label wait", description="Longest wait for a QUEUED label"
    )
