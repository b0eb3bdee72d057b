"""The ``writeback`` section of a connector profile: where effects go and how hard to retry.

Secrets (the webhook signing secret, a FHIR bearer token) are read from environment variables
named here, never written in YAML.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, field_validator, model_validator

from finalmile.outbox_terms import RetryPolicy, Topic

ENV_NAME = r"^[A-Z_][A-Z0-9_]{0,127}$"
ALL_TOPICS = tuple(Topic)


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _Target(_Section):
    topics: tuple[Topic, ...] = Field(
        ALL_TOPICS, min_length=1, description="the outbox topics this target receives"
    )
    timeout_seconds: float = Field(10, gt=0, le=300, description="per delivery attempt")


class SignatureScheme(StrEnum):
    """How webhook requests are signed (docs/webhooks.md)."""

    STANDARD = "standard"  # Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature
    FINALMILE = "finalmile"  # the older scheme: Finalmile-Timestamp, Finalmile-Signature v1=<hex>


class WebhookTarget(_Target):
    """Signed JSON POSTs (see docs/webhooks.md).

    A profile that names no ``signature`` keeps the older ``finalmile`` scheme, so receivers built
    before Standard Webhooks keep verifying; new profiles say ``signature: standard``.
    """

    url: AnyHttpUrl
    signature: SignatureScheme = Field(
        SignatureScheme.FINALMILE, description="standard (write this in new profiles) or finalmile"
    )
    secret_env: tuple[str, ...] = Field(
        min_length=1,
        description="variable(s) holding the signing secret; several while rotating (standard)",
    )

    @field_validator("secret_env", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return (value,) if isinstance(value, str) else value

    @field_validator("secret_env")
    @classmethod
    def _env_names(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [name for name in value if not re.fullmatch(ENV_NAME, name)]
        if bad:
            raise ValueError(f"{bad[0]!r} is not an environment variable name (A-Z, 0-9, _)")
        return value

    @model_validator(mode="after")
    def _rotation_needs_standard(self) -> WebhookTarget:
        if len(self.secret_env) > 1 and self.signature is not SignatureScheme.STANDARD:
            raise ValueError(
                "several secrets (rotation) need signature: standard; the finalmile scheme "
                "carries one signature"
            )
        return self


class Hl7Message(StrEnum):
    """The HL7 v2 message that carries a status update."""

    ORC_SC = "orc_sc"  # ORM^O01 with ORC-1 SC, OBX per fact and an NTE
    RDS_O13 = "rds_o13"  # RDS^O13 with RXD and NTE


class Hl7Target(_Target):
    """HL7 v2 status updates over MLLP, one per order and topic, each waiting for its ACK."""

    topics: tuple[Topic, ...] = Field(
        (Topic.SHIPPED, Topic.DELIVERED, Topic.CANCELLED),
        min_length=1,
        description="outbox topics sent",
    )
    host: str = Field(min_length=1)
    port: int = Field(ge=1, le=65535)
    message: Hl7Message = Hl7Message.ORC_SC
    version: str = Field("2.5.1", pattern=r"^2\.[3-8](\.\d)?$")
    sending_application: str = "FINALMILE"
    sending_facility: str = "FINALMILE"
    receiving_application: str = "PMS"
    receiving_facility: str = "PHARMACY"


class FhirTarget(_Target):
    """FHIR R4: the MedicationDispense completed on delivery and a SupplyDelivery per shipment."""

    base_url: AnyHttpUrl
    bearer_token_env: str | None = Field(None, pattern=ENV_NAME)


class BillingCsvTarget(_Target):
    """A CSV file per day of billing confirmations, for a PMS without an interface."""

    topics: tuple[Topic, ...] = Field(
        (Topic.DELIVERY_CONFIRMED,), min_length=1, description="outbox topics written"
    )
    folder: Path = Field(description="billing-YYYY-MM-DD.csv files are written here")


class BillingPolicy(_Section):
    """When a delivery is confirmed for billing, and which date is the date of service."""

    date_of_service: Literal["shipped", "delivered"] = "delivered"
    require_temperature_pass: bool = Field(
        False, description="confirm only once the package's temperature log passed"
    )


class WritebackSection(_Section):
    """Where this connector's effects are delivered (any number of targets, each optional)."""

    webhook: WebhookTarget | None = None
    hl7v2: Hl7Target | None = None
    fhir: FhirTarget | None = None
    billing_csv: BillingCsvTarget | None = None
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    billing: BillingPolicy = Field(default_factory=BillingPolicy)
