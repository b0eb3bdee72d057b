"""What a decision works on: the order's facts and each candidate way to send it.

Both are plain slotted objects whose attributes are the facts of ``facts.FACTS``, so compiled
conditions read them with one attribute lookup.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from finalmile.canonical import ControlledSchedule, DispatchOrder, StorageClass
from finalmile.items import ItemEntry, item_key
from finalmile.rules.calendar import Arrival, weekday_name
from finalmile.rules.courier import CourierRun
from finalmile.rules.facts import DeliveryType
from finalmile.rules.quotes import CarrierQuote
from finalmile.rules.site import Site
from finalmile.rules.site_config import DeliveryOption, Weekday

HOUR = 3600.0
_COURIER, _CARRIER = DeliveryType.COURIER, DeliveryType.CARRIER
_STRICTNESS = {schedule: rank for rank, schedule in enumerate(ControlledSchedule)}.__getitem__
#: When a package leaves the site, and that day's name.
Departure = tuple[dt.datetime, Weekday]


class OrderFacts:
    """The order facts of one decision (see ``FACTS``), plus the deadline and patient zone.

    Facts that few rules test are worked out on first use (``__getattr__`` runs only for a slot
    not yet set), so a rule set pays only for the facts it reads.
    """

    __slots__ = (
        "controlled",
        "controlled_schedule",
        "country",
        "declared_value",
        "distance_miles",
        "dry_ice",
        "entries",
        "hazmat",
        "holiday",
        "hours_until_needed",
        "local",
        "local_time",
        "needed_by",
        "now",
        "order",
        "patient_local_time",
        "patient_timezone",
        "patient_zone",
        "postal_code",
        "requires_signature",
        "site",
        "state",
        "storage",
        "weekday",
        "zip3",
    )

    def __init__(
        self,
        order: DispatchOrder,
        site: Site,
        now: dt.datetime,
        entries: Mapping[str, ItemEntry] | None = None,
    ) -> None:
        self.order = order
        self.site = site
        self.now = now
        self.entries: Mapping[str, ItemEntry] = entries or {}
        ship_to = order.ship_to
        place = site.destination(ship_to)
        self.local = now.astimezone(site.zone)
        self.patient_timezone = place.zone_name
        self.patient_zone = place.zone or site.zone
        self.storage: StorageClass = order.storage
        self.distance_miles = place.miles
        self.state = ship_to.state or place.state
        self.postal_code = place.zip5
        self.zip3 = place.zip3
        self.requires_signature = order.requires_signature
        self.needed_by = order.needed_by

    def __getattr__(self, name: str) -> Any:
        compute = _LAZY.get(name)
        if compute is None:
            raise AttributeError(name)
        value = compute(self)
        setattr(self, name, value)
        return value


def _controlled_schedule(facts: OrderFacts) -> str | None:
    schedules = [i.controlled_schedule for i in facts.order.items if i.controlled_schedule]
    return min(schedules, key=_STRICTNESS).value if schedules else None


def _hours_until_needed(facts: OrderFacts) -> float | None:
    needed_by = facts.needed_by
    return None if needed_by is None else (needed_by - facts.now).total_seconds() / HOUR


def _entries(facts: OrderFacts) -> list[ItemEntry]:
    """The item master entries of the order's items (those it lists)."""
    keys = (item_key(item) for item in facts.order.items)
    return [entry for key in keys if key and (entry := facts.entries.get(key))]


_LAZY: dict[str, Callable[[OrderFacts], Any]] = {
    "dry_ice": lambda f: any(entry.dry_ice for entry in _entries(f)),
    "hazmat": lambda f: any(entry.hazmat for entry in _entries(f)),
    "controlled": lambda f: f.order.controlled,
    "controlled_schedule": _controlled_schedule,
    "country": lambda f: f.order.ship_to.country,
    "declared_value": lambda f: f.site.declared_value(f.order),
    "hours_until_needed": _hours_until_needed,
    "weekday": lambda f: weekday_name(f.local.date()),
    "local_time": lambda f: f.local.time().replace(tzinfo=None),
    "holiday": lambda f: f.site.calendar.closed(f.local.date()),
    "patient_local_time": lambda f: f.now.astimezone(f.patient_zone).time().replace(tzinfo=None),
}


class Candidate:
    """One way to send the order, with its candidate facts; rules remove it or add extras.

    A candidate is made with its arrival; ``quote`` is the carrier quote it came from (None for a
    courier run), from which Saturday delivery reschedules it.
    """

    __slots__ = (
        "arrival",
        "arrival_weekday",
        "carrier",
        "cost",
        "delivery_type",
        "estimated_delivery",
        "idle_days",
        "label",
        "offered",
        "order",
        "quote",
        "removed_by",
        "required",
        "service",
        "service_level",
        "ship_at",
        "ship_weekday",
        "transit_hours",
    )

    def __init__(  # noqa: PLR0917 - positional: keywords cost time on the per-candidate path
        self,
        order: OrderFacts,
        delivery_type: DeliveryType,
        carrier: str,
        service: str,
        service_level: str,
        label: str,
        cost: Decimal,
        ship_at: dt.datetime,
        ship_weekday: Weekday,
        offered: Mapping[DeliveryOption, Decimal],
        arrival: Arrival,
        quote: CarrierQuote | None,
    ) -> None:
        self.order = order
        self.delivery_type = delivery_type
        self.carrier = carrier
        self.service = service
        self.service_level = service_level
        self.label = label
        self.cost = cost
        self.offered = offered
        self.required: tuple[DeliveryOption, ...] = ()
        self.removed_by: str | None = None
        self.ship_at = ship_at
        self.ship_weekday = ship_weekday
        self.quote = quote
        self.arrival = arrival
        self.estimated_delivery = arrival.at
        self.arrival_weekday = arrival.weekday
        self.transit_hours = arrival.transit_hours
        self.idle_days = arrival.idle_days

    def arrive(self, arrival: Arrival) -> None:
        """Set a new arrival and the facts derived from it."""
        self.arrival = arrival
        self.estimated_delivery = arrival.at
        self.arrival_weekday = arrival.weekday
        self.transit_hours = arrival.transit_hours
        self.idle_days = arrival.idle_days

    def require(self, option: DeliveryOption, site: Site) -> bool:
        """Add an extra (and its price); False when this candidate does not offer it, or when
        Saturday delivery finds no delivery day."""
        if option in self.required:
            return True
        price = self.offered.get(option)
        if price is None:
            return False
        self.required += (option,)
        self.cost += price
        if option is DeliveryOption.SATURDAY_DELIVERY and self.quote is not None:
            arrival = quoted_arrival(self.order, self.quote, self.ship_at, site, saturday=True)
            if arrival is None:
                return False
            self.arrive(arrival)
        return True


def quoted_arrival(
    order: OrderFacts, quote: CarrierQuote, ship_at: dt.datetime, site: Site, *, saturday: bool
) -> Arrival | None:
    """The arrival of a quote leaving at ``ship_at``: the quoted one, or transit days after
    pickup (rate-card quotes); None when no delivery day is found."""
    fixed = quote.estimated_delivery
    if fixed is None:
        assert quote.transit_days is not None and quote.delivery_by is not None
        return site.calendar.arrival(
            ship_at, quote.transit_days, quote.delivery_by, order.patient_zone, saturday=saturday
        )
    arrives = fixed.astimezone(order.patient_zone).date()
    idle = site.calendar.idle_days(ship_at.date(), arrives, saturday=saturday)
    return Arrival.between(ship_at, fixed, idle_days=idle)


def courier_candidate(order: OrderFacts, run: CourierRun, site: Site) -> Candidate:
    """A candidate for one courier run."""
    courier = site.config.courier
    assert courier is not None
    return Candidate(
        order,
        _COURIER,
        courier.carrier,
        courier.service,
        courier.level,
        run.label,
        run.cost,
        run.leaves,
        weekday_name(run.leaves.date()),
        courier.options,
        Arrival.between(run.leaves, run.arrives, idle_days=0),
        None,
    )


def quote_candidate(
    order: OrderFacts, quote: CarrierQuote, site: Site, departures: dict[str, Departure | str]
) -> Candidate | str:
    """A candidate for a carrier or drop-ship quote, or why it cannot be placed in time.

    ``departures`` remembers, for this order, when (and on which weekday) each carrier's pickup
    collects, or why it cannot: an order's quotes mostly share a few pickups.
    """
    label = quote.label or f"{quote.carrier} {quote.service}"
    if quote.delivery_type is _CARRIER:
        collector = quote.pickup or quote.carrier
        departure = departures.get(collector)
        if departure is None:
            departure = departures[collector] = _departure(order, collector, site)
        if isinstance(departure, str):
            return f"{label} removed: {departure}"
        ship_at, weekday = departure
    else:
        ship_at, weekday = order.local, order.weekday
    days, by = quote.transit_days, quote.delivery_by
    arrival = (
        site.calendar.arrival(ship_at, days, by, order.patient_zone, saturday=False)
        if quote.estimated_delivery is None and days is not None and by is not None
        else quoted_arrival(order, quote, ship_at, site, saturday=False)
    )
    if arrival is None:
        return f"{label} removed: no delivery day found after pickup"
    return Candidate(
        order,
        quote.delivery_type,
        quote.carrier,
        quote.service,
        quote.service_level,
        label,
        quote.cost,
        ship_at,
        weekday,
        quote.options,
        arrival,
        quote,
    )


def _departure(order: OrderFacts, collector: str, site: Site) -> Departure | str:
    """When ``collector``'s next pickup leaves the site, or why there is none."""
    pickup = site.pickups.get(collector)
    if pickup is None:
        return f"the site has no pickup set up with {collector}"
    found = site.calendar.next_pickup(order.local, pickup.cutoff, pickup.days)
    if found is None:
        return f"no {collector} pickup in the next weeks"
    return found, weekday_name(found.date())
