"""A dispensing site as the engine sees it: configuration, calendar, location and rules in force."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from finalmile.canonical import Address, DispatchOrder, StorageClass
from finalmile.errors import ConfigError
from finalmile.geo import Geocoder, Location, ZipCentroids, haversine_miles
from finalmile.rules.calendar import SiteCalendar, weekday_numbers
from finalmile.rules.ruleset import RuleSet
from finalmile.rules.site_config import CarrierAccount, SiteConfig

WINDOW_CACHE_LIMIT = 4096
_ZERO = Decimal(0)
#: How many days ahead a courier run is looked for, today included.
SHIFT_LOOKAHEAD_DAYS = 8
#: When a courier shift starts and ends on one day.
Window = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True, slots=True)
class Pickup:
    """When a carrier collects at the site: the cut-off time on its pickup weekdays."""

    cutoff: dt.time
    days: frozenset[int]


@dataclass(frozen=True, slots=True)
class Destination:
    """What the site knows about a ship-to postal code: location, distance, time zone, and the
    code's first five and three digits."""

    location: Location | None
    miles: float | None
    zone_name: str | None
    zone: ZoneInfo | None
    state: str | None
    zip5: str | None
    zip3: str | None


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
        shifts = config.courier.shifts if config.courier is not None else []
        self.shift_days = tuple(weekday_numbers(shift.days) for shift in shifts)
        self.shift_lengths = tuple(
            dt.datetime.combine(dt.date.min, s.end) - dt.datetime.combine(dt.date.min, s.start)
            for s in shifts
        )
        self.longest_shift = max(self.shift_lengths, default=dt.timedelta(0))
        self.unit_values = dict(config.declared_values.by_ndc)
        self._places: dict[tuple[str, str], Location | None] = {}
        self._windows: dict[tuple[int, dt.date], tuple[Window, ...]] = {}
        self._destinations: dict[tuple[str | None, str], Destination] = {}
        #: Courier run prices by (miles, storage class), one per shift (kept by ``courier``).
        self.courier_fares: dict[tuple[float, StorageClass], tuple[Decimal, ...]] = {}

    @property
    def name(self) -> str:
        """The site's slug."""
        return self.config.name

    def with_rules(self, rules: RuleSet) -> Site:
        """The same site under another rule set (for simulations and activations)."""
        return Site(self.config, rules, self.geocoder)

    def shift_windows(self, index: int, day: dt.date) -> tuple[Window, ...]:
        """Start and end of courier shift ``index`` on each day it runs, from ``day`` through
        the ``SHIFT_LOOKAHEAD_DAYS`` days starting then, soonest first."""
        key = (index, day)
        found = self._windows.get(key)
        if found is None:
            if len(self._windows) > WINDOW_CACHE_LIMIT:
                self._windows.clear()
            found = self._windows[key] = tuple(
                window
                for offset in range(SHIFT_LOOKAHEAD_DAYS)
                if (window := self._shift_window(index, day + dt.timedelta(days=offset)))
                is not None
            )
        return found

    def _shift_window(self, index: int, day: dt.date) -> Window | None:
        shift = self.config.courier.shifts[index] if self.config.courier else None
        if shift is None or day.weekday() not in self.shift_days[index]:
            return None
        if self.calendar.closed(day):
            return None
        return (
            dt.datetime.combine(day, shift.start, tzinfo=self.zone),
            dt.datetime.combine(day, shift.end, tzinfo=self.zone),
        )

    def locate(self, address: Address) -> Location | None:
        """Where ``address`` is, by its postal code; None when it has none or it is unknown."""
        if not address.postal_code:
            return None
        key = (address.postal_code, address.country)
        if key not in self._places:
            self._places[key] = self.geocoder.locate(*key)
        return self._places[key]

    def destination(self, address: Address) -> Destination:
        """Location, distance and zone of ``address``, worked out once per postal code."""
        key = (address.postal_code, address.country)
        found = self._destinations.get(key)
        if found is None:
            place = self.locate(address)
            zone_name = place.timezone if place is not None else None
            zip5 = (address.postal_code or "").strip()[:5] or None
            found = Destination(
                location=place,
                miles=self.distance_miles(place),
                zone_name=zone_name,
                zone=ZoneInfo(zone_name) if zone_name else None,
                state=place.state if place is not None else None,
                zip5=zip5,
                zip3=zip5[:3] if zip5 else None,
            )
            self._destinations[key] = found
        return found

    def distance_miles(self, place: Location | None) -> float | None:
        """Straight-line miles from the site to ``place``."""
        return None if place is None else haversine_miles(self.origin, place)

    def declared_value(self, order: DispatchOrder) -> Decimal:
        """Sum of quantity x unit value over the items (the site's value table, in USD)."""
        default = self.config.declared_values.default_unit_value
        items = order.items
        if len(items) == 1:  # the usual case, without the generator (same sum: 0 + value)
            item = items[0]
            return _ZERO + item.quantity * self.unit_values.get(item.ndc or "", default)
        return sum(
            (item.quantity * self.unit_values.get(item.ndc or "", default) for item in order.items),
            _ZERO,
        )

    def package_weight_lb(self, order: DispatchOrder) -> float:
        """The packed weight for the order's storage class (cold-chain shippers weigh more)."""
        return self.config.package_weight_lb.get(order.storage, 1.0)


def _pickup(account: CarrierAccount) -> Pickup:
    return Pickup(cutoff=account.cutoff, days=weekday_numbers(account.pickup_days))
