"""What the driver app sends: one update (picked up, arrived, delivered with the ePOD, failed
attempt), validated before anything is stored."""

from __future__ import annotations

from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from finalmile.tracking import Relationship


class UpdateKind(StrEnum):
    """What the driver reports."""

    PICKED_UP = "picked_up"
    ARRIVED = "arrived"
    DELIVERED = "delivered"
    ATTEMPT_FAILED = "attempt_failed"


class FailureReason(StrEnum):
    """Why a delivery attempt failed."""

    NO_ONE_HOME = "no_one_home"
    REFUSED = "refused"
    WRONG_ADDRESS = "wrong_address"
    NO_ACCESS = "no_access"
    UNSAFE_LOCATION = "unsafe_location"
    NO_VALID_SIGNER = "no_valid_signer"
    DAMAGED = "damaged"
    TEMPERATURE = "temperature"
    OTHER = "other"


class Gps(BaseModel):
    """Where the device was (WGS 84)."""

    model_config = ConfigDict(extra="forbid")

    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    accuracy_m: float | None = Field(default=None, ge=0)


class ProofIn(BaseModel):
    """The electronic proof of delivery captured at the door."""

    model_config = ConfigDict(extra="forbid")

    signer_name: str = Field(min_length=1, max_length=100, description="Printed name")
    relationship: Relationship = Field(description="The signer relative to the patient")
    signature_png: str = Field(description="The signature image, PNG, base64")
    photo: str | None = Field(default=None, description="Optional photo, JPEG or PNG, base64")


class DriverUpdateIn(BaseModel):
    """One update from the driver app."""

    model_config = ConfigDict(extra="forbid")

    client_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
    stop: str = Field(min_length=1, max_length=32, description="The stop (shipment key)")
    kind: UpdateKind
    occurred_at: AwareDatetime
    gps: Gps | None = None
    reason: FailureReason | None = Field(default=None, description="attempt_failed only")
    note: str | None = Field(default=None, max_length=300)
    proof: ProofIn | None = Field(default=None, description="delivered only")

    @model_validator(mode="after")
    def _fits_kind(self) -> DriverUpdateIn:
        if (self.reason is not None) != (self.kind is UpdateKind.ATTEMPT_FAILED):
            raise ValueError("reason is required for attempt_failed and only for it")
        if self.proof is not None and self.kind is not UpdateKind.DELIVERED:
            raise ValueError("proof goes with a delivered update only")
        return self
