"""A shipment draft for mapper tests: a synthetic order to a synthetic patient."""

from __future__ import annotations

from decimal import Decimal

from finalmile.canonical import Address, DispatchOrder, Item, Patient, StorageClass
from finalmile.carriers.base import Parcel, ShipmentDraft, ShipmentOptions

SHIP_FROM = Address(
    name="Pharmacy", line1="1 Test Plaza", city="Boston", state="MA", postal_code="02110"
)
PARCEL = Parcel(
    length_in=Decimal(12), width_in=Decimal(10), height_in=Decimal(8), weight_oz=Decimal("48.5")
)


def draft(**options: object) -> ShipmentDraft:
    """A draft for order SYN-1 with ``options``."""
    order = DispatchOrder(
        order_id="SYN-1",
        connector="default",
        patient=Patient(mrn="MRN-1", family="Testpatient", given="Alex"),
        ship_to=Address(
            name="Alex Testpatient",
            line1="100 Test Street",
            line2="Apt 1",
            city="Springfield",
            state="MA",
            postal_code="01101",
        ),
        items=(Item(quantity=Decimal(2), storage=StorageClass.REFRIGERATED),),
        requires_signature=True,
    )
    return ShipmentDraft(
        reference="key123",
        order=order,
        ship_from=SHIP_FROM,
        parcel=PARCEL,
        options=ShipmentOptions.model_validate(options),
    )
