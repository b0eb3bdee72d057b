"""Per-connector settings of the FHIR R4 mapping (design.md, "Default FHIR R4 profile").

Apart from ``mapping.fhir`` so that reading connector profiles does not load the FHIR models.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from finalmile.canonical import StorageClass
from finalmile.mapping.fhir_fields import FhirPathText
from finalmile.mapping.fhir_paths import FhirPath, compile_path
from finalmile.mapping.fields import FieldName
from finalmile.mapping.zones import TimeZoneName

_EXT = "https://finalmile.dev/fhir/StructureDefinition/"


#: Fetches a referenced FHIR resource by its reference (``Medication/123``); None if unknown.
Resolver = Callable[[str], dict[str, Any] | None]


class FhirProfile(BaseModel):
    """Per-connector settings of the FHIR R4 mapping."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    timezone: TimeZoneName = Field(
        "America/New_York", description="IANA zone for date-only deadlines"
    )
    storage_extension: str = Field(_EXT + "storage-class", description="extension (valueCode)")
    signature_extension: str = Field(
        _EXT + "signature-required", description="extension (valueBoolean)"
    )
    schedule_extension: str = Field(
        _EXT + "controlled-schedule", description="extension (valueCode): DEA schedule"
    )
    storage_codes: dict[str, StorageClass] = Field(
        default_factory=lambda: {s.value: s for s in StorageClass},
        description="storage extension code -> storage class",
    )
    fields: dict[FieldName, FhirPathText] = Field(
        default_factory=dict, description="canonical field -> FHIR path it is read from"
    )

    @cached_property
    def paths(self) -> dict[str, FhirPath]:
        """``fields`` compiled once."""
        return {name: compile_path(text) for name, text in self.fields.items()}
