"""The YAML shape of a dispensing site: calendar, courier cost model, carrier accounts, rate card.

One file per site in ``<config_dir>/sites/``; ``docs/rules.md`` documents every field.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PositiveFloat,
    field_validator,
    model_validator,
)

from finalmile.canonical import Address, StorageClass
from finalmile.mapping import TimeZoneName
from finalmile.ndc import normalize_ndc

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Money = Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=2)]


class DeliveryOption(StrEnum):
    """Extras a rule can require and a carrier service or courier can offer at a price."""

    ADULT_SIGNATURE = "adult_signature"
    SATURDAY_DELIVERY = "saturday_delivery"
    DRY_ICE = "dry_ice"
    HAZMAT = "hazmat"
    INSURANCE = "insurance"


class _Config(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Shift(_Config):
    """Hours in which couriers leave the site and deliver, in the site's time zone."""

    days: list[Weekday] = Field(min_length=1)
    start: dt.time
    end: dt.time
    name: str | None = None
    surcharge: Money = Decimal(0)

    @model_validator(mode="after")
    def _ordered(self) -> Shift:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class CourierDriver(_Config):
    """One in-house driver who works a named courier shift on each of its days (route planning)."""

    id: str = Field(min_length=1, max_length=64)
    shift: str = Field(description="the ``name`` of one of the courier's shifts")
    capacity: int = Field(gt=0, description="packages the vehicle carries")
    cooler_capacity: int = Field(default=0, ge=0, description="packages that fit in the cooler")
    skills: list[Literal["cooler", "lockbox"]] = Field(default_factory=list)


class Courier(_Config):
    """The site's courier (in-house or a contracted service) and its cost model."""

    carrier: str = "courier"
    label: str = "Courier"
    service: str = "same_day"
    level: str = "same_day"
    average_speed_mph: PositiveFloat = 30.0
    handling_minutes: int = Field(default=30, ge=0)
    base: Money
    per_mile: Money
    storage_surcharges: dict[StorageClass, Money] = Field(default_factory=dict)
    options: dict[DeliveryOption, Money] = Field(default_factory=dict)
    shifts: list[Shift] = Field(min_length=1)
    drivers: list[CourierDriver] = Field(default_factory=list)


class RateBand(_Config):
    """Price and transit time for destinations up to ``up_to_miles`` (None: any distance)."""

    up_to_miles: PositiveFloat | None = None
    transit_days: int = Field(ge=0)
    base: Money
    per_lb: Money = Decimal(0)


class CarrierService(_Config):
    """One service of a carrier account, priced by the site's offline rate card."""

    service: str
    label: str | None = None
    level: str
    delivery_by: dt.time
    options: dict[DeliveryOption, Money] = Field(default_factory=dict)
    bands: list[RateBand] = Field(min_length=1)

    @model_validator(mode="after")
    def _bands_ascend(self) -> CarrierService:
        limits = [b.up_to_miles for b in self.bands]
        if any(limit is None for limit in limits[:-1]):
            raise ValueError("only the last band may leave out up_to_miles")
        bounded = [limit for limit in limits if limit is not None]
        if bounded != sorted(bounded) or len(set(bounded)) != len(bounded):
            raise ValueError("bands must be listed by increasing up_to_miles")
        return self


class CarrierAccount(_Config):
    """A national carrier the site ships with: its daily pickup and its services."""

    carrier: str
    label: str | None = None
    cutoff: dt.time
    pickup_days: list[Weekday] = Field(default_factory=lambda: list(WEEKDAYS[:5]), min_length=1)
    services: list[CarrierService] = Field(default_factory=list)


class Holidays(_Config):
    """Days the site ships nothing and carriers deliver nothing."""

    country: str | None = "US"
    subdivision: str | None = None
    names: list[str] | None = Field(
        default=None, description="only these holidays of the country (None: all of them)"
    )
    dates: list[dt.date] = Field(default_factory=list, description="further closed days")


class DeclaredValues(_Config):
    """What the site declares a package is worth: the sum of item quantity x unit value."""

    default_unit_value: Money = Decimal(0)
    by_ndc: dict[str, Money] = Field(
        default_factory=dict, description="NDC in any accepted layout (read as 11 digits)"
    )

    @field_validator("by_ndc")
    @classmethod
    def _same_form_as_items(cls, values: dict[str, Money]) -> dict[str, Money]:
        # Items carry the 11-digit NDC; keys may be written in any layout a label shows.
        return {normalize_ndc(ndc): value for ndc, value in values.items()}


class SiteConfig(_Config):
    """A pharmacy dispensing site as its YAML file describes it."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    label: str | None = None
    #: The pharmacy's street address, printed in audit packets.
    address: Address | None = None
    timezone: TimeZoneName
    postal_code: str
    country: str = "US"
    connectors: list[str] = Field(default_factory=list)
    rules: str = "default"
    holidays: Holidays = Holidays()
    package_weight_lb: dict[StorageClass, PositiveFloat] = Field(
        default_factory=lambda: dict.fromkeys(StorageClass, 1.0)
    )
    declared_values: DeclaredValues = DeclaredValues()
    courier: Courier | None = None
    carriers: list[CarrierAccount] = Field(default_factory=list)
