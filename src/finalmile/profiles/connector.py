"""Connector profiles: how one PMS reaches finalmile and how its messages map to orders.

One YAML file per connector under ``<config_dir>/connectors/``. A profile names the formats the
PMS speaks (``hl7v2``, ``fhir``, ``csv`` sections; a connector accepts the formats it has a
section for), their transports (a dedicated MLLP port, a FHIR server to poll, a CSV drop folder)
and their mappings. The top-level ``timezone`` applies to every mapping that sets none. The
built-in ``default`` profile (``config/defaults/connectors/default.yaml``) is design.md's default
profile of all three formats; a file named ``default.yaml`` in the config directory replaces it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from finalmile.canonical import StorageClass
from finalmile.mapping import CsvProfile, FhirProfile, Hl7Profile, TimeZoneName
from finalmile.profiles.writeback import WritebackSection

NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
_ZONE = TypeAdapter(TimeZoneName)


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Hl7Section(_Section):
    """HL7 v2 over MLLP and HTTP."""

    mllp_port: int | None = Field(
        None, ge=1, le=65535, description="a dedicated MLLP listener for this connector"
    )
    mapping: Hl7Profile = Field(default_factory=Hl7Profile)


class FhirAuth(_Section):
    """How the poller authenticates; secrets are read from environment variables, never YAML."""

    bearer_token_env: str | None = Field(None, description="variable holding a bearer token")
    username: str | None = Field(None, description="HTTP basic user name")
    password_env: str | None = Field(None, description="variable holding the basic password")

    @model_validator(mode="after")
    def _one_scheme(self) -> FhirAuth:
        if self.bearer_token_env and (self.username or self.password_env):
            raise ValueError("give bearer_token_env or username/password_env, not both")
        if bool(self.username) != bool(self.password_env):
            raise ValueError("basic authentication needs both username and password_env")
        return self


class FhirServer(_Section):
    """A PMS FHIR R4 server the connector polls for MedicationDispenses."""

    base_url: AnyHttpUrl = Field(description="FHIR base, e.g. https://pms.example/fhir/r4")
    auth: FhirAuth = Field(default_factory=FhirAuth)
    poll_seconds: float = Field(60, gt=0, description="interval between polls")
    page_size: int = Field(100, ge=1, le=1000, description="_count per page")
    timeout_seconds: float = Field(30, gt=0, description="per request")
    start_at: dt.datetime | None = Field(
        None, description="first poll reads resources updated after this (default: everything)"
    )


class FhirSection(_Section):
    """FHIR R4 over HTTP (``POST /fhir/r4``) and, with ``server``, by polling."""

    server: FhirServer | None = None
    mapping: FhirProfile = Field(default_factory=FhirProfile)


class DropFolder(_Section):
    """A watched folder: files in ``incoming/`` move to ``processed/`` or ``failed/``."""

    path: Path = Field(description="folder holding incoming/, processed/ and failed/")
    poll_seconds: float = Field(5, gt=0, description="interval between scans")
    settle_seconds: float = Field(
        2, ge=0, description="a file is read once its size and time stopped changing this long"
    )


class CsvSection(_Section):
    """CSV by upload (``POST /csv``), command line and, with ``drop_folder``, a watched folder."""

    drop_folder: DropFolder | None = None
    mapping: CsvProfile = Field(default_factory=CsvProfile)


class ConnectorProfile(_Section):
    """One connector: its name, the formats it accepts, their transports and mappings."""

    name: str = Field(pattern=NAME_PATTERN, description="lower case letters, digits, - and _")
    description: str | None = None
    timezone: TimeZoneName = Field(
        "America/New_York", description="default zone of every mapping that sets none"
    )
    hl7v2: Hl7Section | None = None
    fhir: FhirSection | None = None
    csv: CsvSection | None = None
    writeback: WritebackSection | None = Field(
        None, description="where tracking numbers and confirmations go back to the PMS"
    )
    default_storage: StorageClass | None = Field(
        None,
        description="storage class of an item that neither the message nor the item master"
        " gives (set it only where the site ships that class alone); unset: the order waits",
    )

    @model_validator(mode="before")
    @classmethod
    def _inherit_timezone(cls, data: Any) -> Any:
        """Give each section's mapping the profile's time zone unless it sets its own.

        Only a valid zone is passed on: a wrong one is reported once, at the top-level key the
        file wrote, not again for every section that would have inherited it.
        """
        if not isinstance(data, dict) or not _is_zone(data.get("timezone")):
            return data
        data = dict(data)
        for section in ("hl7v2", "fhir", "csv"):
            body = data.get(section)
            if isinstance(body, dict):
                mapping = body.get("mapping") or {}
                if isinstance(mapping, dict) and "timezone" not in mapping:
                    data[section] = {**body, "mapping": {**mapping, "timezone": data["timezone"]}}
        return data

    @model_validator(mode="after")
    def _has_a_format(self) -> ConnectorProfile:
        if self.hl7v2 is None and self.fhir is None and self.csv is None:
            raise ValueError("a connector needs at least one of the sections hl7v2, fhir, csv")
        return self

    @property
    def formats(self) -> list[str]:
        """The formats this connector accepts."""
        return [f for f in ("hl7v2", "fhir", "csv") if getattr(self, f) is not None]


def _is_zone(value: Any) -> bool:
    try:
        _ZONE.validate_python(value)
    except ValidationError:
        return False
    return True
