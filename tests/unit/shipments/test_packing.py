"""The item master's dry ice and hazmat flags added to a shipment's options."""

from __future__ import annotations

from decimal import Decimal

import pytest

from finalmile.canonical import Address, DispatchOrder, Item, Patient, StorageClass
from finalmile.carriers import ShipmentOptions
from finalmile.errors import PermanentError
from finalmile.items import HazmatFlag, ItemEntry
from finalmile.shipments.packing import packed_options

ICED, PLAIN = "68982085001", "00069258710"


def order(*ndcs: str) -> DispatchOrder:
    return DispatchOrder(
        order_id="RX-P1",
        connector="default",
        patient=Patient(mrn="MRN-P1", family="Testpatient", given="Pat"),
        ship_to=Address(line1="1 Test Way", city="Boston", state="MA", postal_code="02110"),
        items=tuple(
            Item(ndc=ndc, quantity=Decimal(1), storage=StorageClass.FROZEN) for ndc in ndcs
        ),
    )


def entries(**extra: object) -> dict[str, ItemEntry]:
    iced = ItemEntry.model_validate(
        {"ndc": ICED, "storage": "frozen", "dry_ice": True, "hazmat": "toxic", **extra}
    )
    plain = ItemEntry.model_validate({"ndc": PLAIN, "storage": "ambient", "hazmat": "flammable"})
    return {ICED: iced, PLAIN: plain}


def test_dry_ice_weight_and_hazmat_come_from_the_item_master() -> None:
    options = packed_options(
        order(ICED, PLAIN, ICED), entries(dry_ice_weight_lb="2.5"), ShipmentOptions()
    )
    assert options.dry_ice and options.dry_ice_weight_oz == Decimal(80)  # two lines of 2.5 lb
    assert options.hazmat == (HazmatFlag.TOXIC, HazmatFlag.FLAMMABLE)


def test_a_given_weight_wins_and_nothing_is_added_without_entries() -> None:
    given = ShipmentOptions(dry_ice_weight_oz=Decimal(12))
    assert packed_options(order(ICED), entries(), given).dry_ice_weight_oz == Decimal(12)
    assert packed_options(order(ICED), {}, ShipmentOptions()) == ShipmentOptions()


def test_dry_ice_needed_with_no_weight_anywhere_is_refused_naming_the_ndc() -> None:
    with pytest.raises(PermanentError, match=r"no dry ice weight for NDC 68982-0850-01"):
        packed_options(order(ICED), entries(), ShipmentOptions())
    with pytest.raises(PermanentError, match="for any of the order's items"):
        packed_options(order(PLAIN), entries(), ShipmentOptions(dry_ice=True))
