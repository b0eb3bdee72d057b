"""Drop-ship accounts: shipments made elsewhere, recorded here and tracked like any parcel.

Nothing is bought: ``ShipmentService.record_external`` stores the shipment as purchased with the
drop shipper's tracking number. Tracking goes through the hub account named in ``track_with``
(an EasyPost tracker, say); without one the shipment is recorded but not tracked.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from finalmile.carriers.base import CarrierKind
from finalmile.carriers.info import CarrierInfo, Trait
from finalmile.carriers.settings import CarrierSettings


class DropshipSettings(CarrierSettings):
    """A drop shipper."""

    type: Literal["dropship"] = "dropship"
    track_with: str | None = Field(
        default=None,
        title="Tracking account",
        description="A configured hub account (e.g. easypost) that creates trackers",
    )

    @property
    def tracks_through(self) -> str | None:
        """The hub account named in ``track_with``."""
        return self.track_with


class DropshipCarrier:
    """A drop shipper: no capabilities of its own."""

    def __init__(self, name: str, settings: DropshipSettings) -> None:
        self.name = name
        self.settings = settings


def _build(name: str, settings: Any) -> object:
    return DropshipCarrier(name, settings)


DROPSHIP = CarrierInfo(
    slug="dropship",
    label="Drop shipper (recorded and tracked)",
    kind=CarrierKind.DIRECT,
    capabilities=frozenset(),
    settings_model=DropshipSettings,
    factory=_build,
    traits=frozenset({Trait.RECORDS_EXTERNAL}),
)
