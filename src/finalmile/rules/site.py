"""A dispensing site as the engine sees it: configuration, calendar, location and rules in force."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from finalmile.errors import ConfigError
from finalmile.geo import Geocoder, Location, ZipCentroids, haversine_miles
from finalmile.orders.canonical import Address, DispatchOrder
from finalmile.rules.calendar import SiteCalendar, weekday_numbers
from finalmile.rules.ruleset import RuleSet
from finalmile.rules.site_config import CarrierAccount, SiteConfig


@dataclass(frozen=True, slots=True)
class Pickup:
    """When a carrier collects at the site: the cut-off time on its pickup weekdays."""

    cutoff: dt.time
    days: frozenset[int]


class Site:
    """A site ready for decisions. Build once per configuration; it memoises geocoding."""

    def __init__(
        self, config: SiteConfig, rules: RuleSet, geocoder: Geocoder | None = None
    ) -> None:
        self.config = config
        self.rules = rules
        self.geocoder: Geocoder = geocoder or ZipCentroids()
        self.zone = ZoneInfo(config.timezone)
        self.calendar = SiteCalendar(self.zone, config.holidays)
        origin = self.geocoder.locate(config.postal_code, config.country)
        if origin is None:
            raise ConfigError(
                [f"site {config.name}: postal_code {config.postal_code!r} is not a known ZIP"]
            )
        self.origin: Location = origin
        self.pickups = {a.carrier: _pickup(a) for a in config.carriers}
        self.unit_values = dict(config.declared_values.by_ndc)
        self._places: dict[tuple[str, str], Location | None] = {}

    @property
    def name(self) -> str:
        """The site's slug."""
        return self.config.name

    def with_rules(self, rules: RuleSet) -> Site:
        """The same site under another rule set (for simulations and activations)."""
        return Site(self.config, rules, self.geocoder)

    def locate(self, address: Address) -> Location | None:
        """Where ``address`` is, by its postal code; None when it has none or it is unknown."""
        if not address.postal_code:
            return None
        key = (address.postal_code, address.country)
        if key not in self._places:
            self._places[key] = self.geocoder.locate(*key)
        return self._places[key]

    def distance_miles(self, place: Location | None) -> float | None:
        """Straight-line miles from the site to ``place``."""
        return None if place is None else haversine_miles(self.origin, place)

    def declared_value(self, order: DispatchOrder) -> Decimal:
        """Sum of quantity x unit value over the items (the site's value table, in USD)."""
        default = self.config.declared_values.default_unit_value
        return sum(
            (item.quantity * self.unit_values.get(item.ndc or "", default) for item in order.items),
            Decimal(0),
        )

    def package_weight_lb(self, order: DispatchOrder) -> float:
        """The packed weight for the order's storage class (cold-chain shippers weigh more)."""
        return self.config.package_weight_lb.get(order.storage, 1.0)


def _pickup(account: CarrierAccount) -> Pickup:
    return Pickup(cutoff=account.cutoff, days=weekday_numbers(account.pickup_days))
