"""Per-connector settings of the CSV mapping (design.md, "Default CSV profile")."""

from __future__ import annotations

import codecs
from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field, field_validator

from finalmile.canonical import StorageClass
from finalmile.mapping.zones import TimeZoneName

# The canonical columns, in the order of the default header.
COLUMNS = (
    "order_id",
    "mrn",
    "family",
    "given",
    "birth_date",
    "phone",
    "email",
    "ship_name",
    "line1",
    "line2",
    "city",
    "state",
    "postal_code",
    "ndc",
    "description",
    "quantity",
    "unit",
    "storage",
    "controlled_schedule",
    "needed_by",
    "requires_signature",
    "instructions",
)
REQUIRED = ("order_id", "mrn", "line1", "city", "quantity")


def _default_storage_codes() -> dict[str, StorageClass]:
    codes = {storage.value: storage for storage in StorageClass}
    letters = zip("ACRF", StorageClass, strict=True)
    return codes | dict(letters)


class CsvProfile(BaseModel):
    """How one connector's CSV files are written: delimiter, encoding, header names, codes."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    delimiter: str = Field(",", description="one character between fields")
    encoding: str = Field(
        "utf-8", description="Python codec name, e.g. cp1252 (a UTF-8 BOM is always stripped)"
    )
    columns: dict[str, str] = Field(
        default_factory=dict, description="canonical column -> the file's header name"
    )
    storage_codes: dict[str, StorageClass] = Field(
        default_factory=_default_storage_codes,
        description="storage code (case-insensitive) -> storage class",
    )
    defaults: dict[str, str] = Field(
        default_factory=dict, description="canonical column -> value when absent or empty"
    )
    timezone: TimeZoneName = Field(
        "America/New_York", description="IANA zone for needed_by without offset"
    )

    @cached_property
    def storage_lookup(self) -> dict[str, StorageClass]:
        """``storage_codes`` keyed by case-folded code."""
        return {code.strip().casefold(): storage for code, storage in self.storage_codes.items()}

    def header_name(self, column: str) -> str:
        """The file's header name of a canonical column."""
        return self.columns.get(column, column)

    @field_validator("delimiter")
    @classmethod
    def _one_character(cls, value: str) -> str:
        if len(value) != 1 or value in '"\r\n':
            raise ValueError("must be one character other than a quote or a line break")
        return value

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        try:
            codecs.lookup(value)
        except LookupError:
            raise ValueError(f"unknown encoding {value!r}") from None
        return value

    @field_validator("columns", "defaults")
    @classmethod
    def _canonical_keys(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(COLUMNS))
        if unknown:
            raise ValueError(
                f"unknown column(s) {', '.join(unknown)}; expected some of {', '.join(COLUMNS)}"
            )
        return value
