"""One item master entry: a product as the pharmacy ships it, validated."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from finalmile.canonical import ControlledSchedule, StorageClass
from finalmile.ndc import normalize_ndc


class HazmatFlag(StrEnum):
    """Dangerous-goods properties a carrier must be told about."""

    FLAMMABLE = "flammable"
    AEROSOL = "aerosol"
    CORROSIVE = "corrosive"
    TOXIC = "toxic"
    OXIDIZER = "oxidizer"
    LITHIUM_BATTERY = "lithium_battery"
    LIMITED_QUANTITY = "limited_quantity"


Measure = Annotated[Decimal, Field(gt=0, max_digits=10, decimal_places=4)]


class ItemEntry(BaseModel):
    """A product keyed by its NDC (11 digits, no dashes, whatever layout the file used)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ndc: str
    description: str | None = Field(default=None, max_length=500)
    storage: StorageClass
    controlled_schedule: ControlledSchedule | None = None
    dry_ice: bool = False
    dry_ice_weight_lb: Measure | None = Field(
        default=None, description="dry ice packed with one dispensed line, in pounds"
    )
    insulated_shipper: bool = False
    hazmat: tuple[HazmatFlag, ...] = ()
    weight_lb: Measure | None = Field(default=None, description="packed weight in pounds")
    length_in: Measure | None = None
    width_in: Measure | None = None
    height_in: Measure | None = None
    handling_notes: str | None = Field(default=None, max_length=1000)

    @field_validator("ndc", mode="before")
    @classmethod
    def _normalized(cls, value: Any) -> Any:
        if isinstance(value, int):  # YAML read 00002821501 as a number: its zeros are gone
            raise ValueError("write the NDC in quotes (as a number it loses its leading zeros)")
        return normalize_ndc(value) if isinstance(value, str) else value

    @field_validator("hazmat", mode="before")
    @classmethod
    def _flags(cls, value: Any) -> Any:
        """CSV cells and YAML text list flags separated by ``;`` or ``,``."""
        if isinstance(value, str):
            return tuple(
                flag.strip() for flag in value.replace(";", ",").split(",") if flag.strip()
            )
        return value

    @model_validator(mode="after")
    def _dry_ice_weight(self) -> ItemEntry:
        if self.dry_ice_weight_lb is not None and not self.dry_ice:
            raise ValueError("dry_ice_weight_lb is given but dry_ice is not true")
        return self

    @property
    def cold_chain(self) -> bool:
        """Whether the product needs a cold-chain shipper (class or packaging says so)."""
        return self.dry_ice or self.insulated_shipper or self.storage in _COLD

    @property
    def dimensions_in(self) -> tuple[Decimal, Decimal, Decimal] | None:
        """Length, width and height in inches when all three are known."""
        if self.length_in is None or self.width_in is None or self.height_in is None:
            return None
        return (self.length_in, self.width_in, self.height_in)


_COLD = frozenset({StorageClass.REFRIGERATED, StorageClass.FROZEN})
