"""Settings of a courier account."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Literal

from pydantic import Field, SecretStr, model_validator

from finalmile.carriers.settings import CarrierSettings


class CourierMode(StrEnum):
    """``in_house``: our own drivers (routed by finalmile); ``third_party``: a courier company."""

    IN_HOUSE = "in_house"
    THIRD_PARTY = "third_party"


class CourierSettings(CarrierSettings):
    """A courier account. Its tracking numbers are finalmile's own (``tracking_prefix`` + key)."""

    type: Literal["courier"] = "courier"
    mode: CourierMode = Field(default=CourierMode.IN_HOUSE, title="Mode")
    endpoint: str | None = Field(
        default=None,
        title="Courier API base URL",
        description="Third-party courier: jobs are POSTed to {endpoint}/jobs",
    )
    api_key: SecretStr | None = Field(default=None, title="Courier API key (Bearer)")
    signing_secret: SecretStr | None = Field(
        default=None,
        title="Signing secret",
        description="Request bodies are signed: X-Finalmile-Signature: sha256=<hex HMAC>",
    )
    service: str = Field(default="same_day", title="Service name")
    flat_rate: Decimal = Field(default=Decimal("25.00"), ge=0, title="Price per delivery (USD)")
    tracking_prefix: str = Field(default="FM", max_length=4, title="Tracking number prefix")

    @property
    def tracked_by_drivers(self) -> bool:
        """In-house: the drivers report progress."""
        return self.mode is CourierMode.IN_HOUSE

    @model_validator(mode="after")
    def _endpoint_for_third_party(self) -> CourierSettings:
        if self.mode is CourierMode.THIRD_PARTY and not self.endpoint:
            raise ValueError("a third_party courier needs an endpoint")
        return self
