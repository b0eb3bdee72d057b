"""Carrier rates as the engine receives them, and the interface of whatever supplies them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from finalmile.canonical import DispatchOrder
from finalmile.rules.facts import DeliveryType
from finalmile.rules.site_config import DeliveryOption

if TYPE_CHECKING:
    from finalmile.rules.site import Site


@dataclass(frozen=True, slots=True)
class CarrierQuote:
    """One priced way to send an order: a carrier service, or a drop shipper's offer.

    The arrival is either ``estimated_delivery`` (what a live carrier API answers) or
    ``transit_days`` delivery days after the site's next pickup, by ``delivery_by`` in the
    patient's time zone (what a rate card says). ``options`` maps each extra the service offers
    to its price. ``pickup`` names the site's carrier whose pickup collects the parcel when that
    is not ``carrier`` itself (a live rate's carrier is the aggregator account, its pickup the
    national carrier's).
    """

    carrier: str
    service: str
    cost: Decimal
    service_level: str
    label: str | None = None
    estimated_delivery: dt.datetime | None = None
    transit_days: int | None = None
    delivery_by: dt.time | None = None
    options: Mapping[DeliveryOption, Decimal] = field(default_factory=dict)
    delivery_type: DeliveryType = DeliveryType.CARRIER
    pickup: str | None = None

    def __post_init__(self) -> None:
        if self.estimated_delivery is not None:
            if self.estimated_delivery.tzinfo is None:
                raise ValueError("estimated_delivery must be timezone-aware")
        elif self.transit_days is None or self.delivery_by is None:
            raise ValueError("give estimated_delivery, or transit_days and delivery_by")
        if self.delivery_type is DeliveryType.HOLD:
            raise ValueError("a quote is a way to deliver, not a hold")

    @property
    def name(self) -> str:
        """How people see it: the label, else ``carrier service``."""
        return self.label or f"{self.carrier} {self.service}"


class QuoteSource(Protocol):
    """Supplies carrier quotes for an order leaving a site (a rate card, a live carrier API)."""

    def quotes(self, order: DispatchOrder, site: Site, now: dt.datetime) -> Sequence[CarrierQuote]:
        """Every quote for ``order``; an empty list when nothing can carry it."""
        ...
