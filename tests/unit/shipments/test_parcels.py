"""The item master's package becomes the parcel of a one-line order it fully describes."""

from __future__ import annotations

from decimal import Decimal

from finalmile.canonical import Address, DispatchOrder, Item, Patient, StorageClass
from finalmile.carriers import Parcel
from finalmile.items import ItemEntry
from finalmile.shipments.parcels import parcel_of

INSULIN = ItemEntry(
    ndc="0002-8215-01",
    storage=StorageClass.REFRIGERATED,
    weight_lb=Decimal("3.5"),
    length_in=Decimal(10),
    width_in=Decimal(8),
    height_in=Decimal(6),
)


def _order(*ndcs: str) -> DispatchOrder:
    return DispatchOrder(
        order_id="RX-1",
        connector="default",
        patient=Patient(mrn="MRN-1"),
        ship_to=Address(line1="1 Test St", city="Cambridge", state="MA", postal_code="02139"),
        items=tuple(
            Item(ndc=ndc, quantity=Decimal(1), storage=StorageClass.REFRIGERATED) for ndc in ndcs
        ),
    )


def test_a_known_product_ships_in_its_own_package() -> None:
    entries = {INSULIN.ndc: INSULIN}
    assert parcel_of(_order("00002-8215-01"), entries) == Parcel(
        length_in=Decimal(10), width_in=Decimal(8), height_in=Decimal(6), weight_oz=Decimal(56)
    )


def test_without_dimensions_several_lines_or_no_entry_the_account_default_applies() -> None:
    no_size = INSULIN.model_copy(update={"length_in": None})
    assert parcel_of(_order("00002-8215-01"), {INSULIN.ndc: no_size}) is None
    assert parcel_of(_order("00002-8215-01", "00002-8215-01"), {INSULIN.ndc: INSULIN}) is None
    assert parcel_of(_order("61958-1501-01"), {INSULIN.ndc: INSULIN}) is None
