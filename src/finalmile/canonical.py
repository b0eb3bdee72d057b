"""The canonical dispatch order: the one shape every adapter produces.

Its JSON form (``DispatchOrder.to_contract()``) is a public contract: ``finalmile ingest --dry-run``
prints it and ``GET /orders/{order_id}`` returns it under ``order``. Change it only additively.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_serializer


class StorageClass(StrEnum):
    """Storage requirement of an item, coldest last."""

    AMBIENT = "ambient"
    CONTROLLED_ROOM = "controlled_room"
    REFRIGERATED = "refrigerated"
    FROZEN = "frozen"


_COLDNESS = {storage: rank for rank, storage in enumerate(StorageClass)}


def coldest(classes: Iterable[StorageClass]) -> StorageClass:
    """The strictest of ``classes`` (a package travels at the class of its coldest item)."""
    return max(classes, key=_COLDNESS.__getitem__)


class StorageSource(StrEnum):
    """Where an item's storage class came from (``Item.storage_source``)."""

    MESSAGE = "message"
    ITEM_MASTER = "item_master"
    #: The message named a warmer class than the item master; the colder class wins.
    MASTER_COLDER = "master_colder"
    PROFILE_DEFAULT = "profile_default"


class ControlledSchedule(StrEnum):
    """US DEA schedule of a controlled substance that a pharmacy can dispense (21 CFR 1308).

    ``IIN`` and ``IIIN`` are the DEA's non-narcotic subdivisions of schedules II and III (ARCOS
    codes 2N, 3N). Schedule I has no accepted medical use and is never dispensed.
    """

    II = "II"
    IIN = "IIN"
    III = "III"
    IIIN = "IIIN"
    IV = "IV"
    V = "V"


class _Contract(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Patient(_Contract):
    """Who the medication is for. Every field but ``mrn`` is PHI and never logged."""

    mrn: str
    family: str | None = None
    given: str | None = None
    birth_date: dt.date | None = None
    phone: str | None = Field(default=None, description="E.164 where it could be normalized")
    email: str | None = None


class Address(_Contract):
    """Where the package goes."""

    name: str | None = None
    line1: str
    line2: str | None = None
    city: str
    state: str | None = None
    postal_code: str | None = None
    country: str = "US"


class Item(_Contract):
    """One dispensed product in the package."""

    ndc: str | None = Field(
        default=None, description="NDC, 11 digits without dashes (5-4-2); only from an NDC coding"
    )
    description: str | None = None
    quantity: Decimal
    unit: str | None = None
    storage: StorageClass | None = Field(
        default=None, description="None: unknown (no message field, item master or default)"
    )
    storage_source: StorageSource | None = None
    controlled_schedule: ControlledSchedule | None = Field(
        default=None, description="DEA schedule; None when the product is not controlled"
    )

    code: str | None = Field(
        default=None,
        max_length=64,
        description="another product code the sender gave (RxNorm, SNOMED CT, ...)",
    )
    system: str | None = Field(
        default=None,
        max_length=300,
        description="the system of ``code``: a FHIR URI where known, else as sent",
    )

    @field_serializer("quantity")
    def _quantity_as_number(self, value: Decimal) -> int | float:
        return int(value) if value == value.to_integral_value() else float(value)


class DispatchOrder(_Contract):
    """A pharmacy's request to deliver dispensed items to one patient."""

    order_id: str
    connector: str
    patient: Patient
    ship_to: Address
    items: tuple[Item, ...] = Field(min_length=1)
    needed_by: dt.datetime | None = None
    requires_signature: bool = False
    instructions: str | None = None

    def to_contract(self) -> dict[str, Any]:
        """The contract JSON form, with keys in the documented order."""
        return self.model_dump(mode="json")

    @property
    def storage_known(self) -> bool:
        """Whether every item's storage class is known (an order with an unknown one waits)."""
        return all(item.storage is not None for item in self.items)

    @property
    def storage(self) -> StorageClass:
        """The strictest storage class among the items (the package travels at that class).

        Raises:
            ValueError: an item's storage class is unknown (check ``storage_known`` first).
        """
        known = [item.storage for item in self.items if item.storage is not None]
        if len(known) < len(self.items):
            raise ValueError("an item's storage class is unknown")
        return coldest(known)

    @property
    def controlled(self) -> bool:
        """Whether any item is a controlled substance (the courier needs a lockbox)."""
        return any(item.controlled_schedule is not None for item in self.items)
