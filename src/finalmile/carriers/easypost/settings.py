"""Settings of an EasyPost account."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from finalmile.carriers.settings import CarrierSettings


class EasyPostSettings(CarrierSettings):
    """An EasyPost account.

    EasyPost publishes no fixed request rate: its limiter is load-based and answers 429 when it
    wants a client to slow down (plus a fixed 5 requests/second on list endpoints, which finalmile
    does not use for buying). The defaults stay well inside that; raise them per account.
    """

    type: Literal["easypost"] = "easypost"
    api_key: SecretStr = Field(title="API key", description="Test or production key")
    api_base: str = Field(
        default="https://api.easypost.com/v2",
        title="API base URL",
        description="Point it at the sandbox for demos and tests",
    )
    carrier_accounts: tuple[str, ...] = Field(
        default=(), title="Carrier account ids", description="Restrict rating to these (ca_...)"
    )
    webhook_secret: SecretStr | None = Field(
        default=None,
        title="Webhook secret",
        description="Comma-separated; any listed secret verifies X-Hmac-Signature on "
        "POST /webhooks/{account} (rotation). Unset: that route refuses everything",
    )
    max_concurrency: int = Field(default=16, ge=1, title="Concurrent requests")
    requests_per_second: float = Field(default=20.0, gt=0, title="Request rate")
