"""Settings every configured carrier account shares; each integration extends them."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from finalmile.canonical import Address
from finalmile.carriers.base import Parcel

#: A small insulated shipper: 12 x 10 x 8 in, 3 lb with its gel packs.
DEFAULT_PARCEL = Parcel(
    length_in=Decimal(12), width_in=Decimal(10), height_in=Decimal(8), weight_oz=Decimal(48)
)


class CarrierSettings(BaseModel):
    """One configured carrier account (``type`` names the integration by its slug)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str = Field(title="Integration", description="Registered carrier slug, e.g. easypost")
    enabled: bool = Field(default=True, title="Enabled")
    ship_from: Address | None = Field(
        default=None, title="Ship-from address", description="The pharmacy's dispatch address"
    )
    default_parcel: Parcel = Field(
        default=DEFAULT_PARCEL, title="Default parcel", description="Used when a buy names none"
    )
    timeout_seconds: float = Field(
        default=20.0, gt=0, title="Request timeout", description="Per HTTP request to the provider"
    )
    max_concurrency: int = Field(
        default=8, ge=1, title="Concurrent requests", description="In flight at once, per account"
    )
    requests_per_second: float = Field(
        default=8.0, gt=0, title="Request rate", description="Sustained requests per second"
    )
    buy_attempts: int = Field(
        default=6, ge=1, title="Buy attempts", description="Reconcile-then-retry budget per buy"
    )
    retry_initial_seconds: float = Field(
        default=0.5, gt=0, title="First retry wait", description="Backoff doubles from here"
    )
    retry_max_wait_seconds: float = Field(
        default=30.0, gt=0, title="Longest retry wait", description="Cap of the backoff"
    )

    @property
    def tracks_through(self) -> str | None:
        """The account that tracks this one's parcels; None: the account itself, if it can."""
        return None

    @property
    def tracked_by_drivers(self) -> bool:
        """Whether finalmile's own drivers report progress (polling the carrier learns nothing)."""
        return False
