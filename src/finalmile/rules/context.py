"""What a decision works on: the order's facts and each candidate way to send it.

Both are plain slotted objects whose attributes are the facts of ``facts.FACTS``, so compiled
conditions read them with one attribute lookup.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from finalmile.orders.canonical import DispatchOrder, StorageClass
from finalmile.rules.calendar import Arrival, weekday_name
from finalmile.rules.courier import CourierRun
from finalmile.rules.facts import DeliveryType
from finalmile.rules.quotes import CarrierQuote
from finalmile.rules.site import Site
from finalmile.rules.site_config import DeliveryOption, Weekday

HOUR = 3600.0
_COLDNESS = {storage: rank for rank, storage in enumerate(StorageClass)}


class OrderFacts:
    """The order facts of one decision (see ``FACTS``), plus the deadline and patient zone."""

    __slots__ = (
        "country",
        "declared_value",
        "distance_miles",
        "holiday",
        "hours_until_needed",
        "local",
        "local_time",
        "needed_by",
        "patient_local_time",
        "patient_timezone",
        "patient_zone",
        "postal_code",
        "requires_signature",
        "state",
        "storage",
        "weekday",
        "zip3",
    )

    def __init__(self, order: DispatchOrder, site: Site, now: dt.datetime) -> None:
        ship_to = order.ship_to
        place = site.destination(ship_to)
        zip5 = (ship_to.postal_code or "").strip()[:5] or None
        local = now.astimezone(site.zone)
        self.local = local
        zone_name = place.zone_name
        self.patient_zone = place.zone or site.zone
        self.storage: StorageClass = max(
            (i.storage for i in order.items), key=_COLDNESS.__getitem__
        )
        self.distance_miles = place.miles
        self.postal_code = zip5
        self.zip3 = zip5[:3] if zip5 else None
        self.state = ship_to.state or place.state
        self.country = ship_to.country
        self.requires_signature = order.requires_signature
        self.declared_value: Decimal = site.declared_value(order)
        self.needed_by = order.needed_by
        self.hours_until_needed = (
            (order.needed_by - now).total_seconds() / HOUR if order.needed_by is not None else None
        )
        self.weekday: Weekday = weekday_name(local.date())
        self.local_time = local.time().replace(tzinfo=None)
        self.holiday = site.calendar.closed(local.date())
        self.patient_timezone = zone_name
        self.patient_local_time = now.astimezone(self.patient_zone).time().replace(tzinfo=None)


class Candidate:
    """One way to send the order, with its candidate facts; rules remove it or add extras."""

    __slots__ = (
        "arrival_weekday",
        "base_cost",
        "carrier",
        "cost",
        "delivery_by",
        "delivery_type",
        "estimated_delivery",
        "idle_days",
        "label",
        "offered",
        "order",
        "removed_by",
        "required",
        "service",
        "service_level",
        "ship_at",
        "ship_weekday",
        "transit_days",
        "transit_hours",
    )

    def __init__(
        self,
        order: OrderFacts,
        *,
        delivery_type: DeliveryType,
        carrier: str,
        service: str,
        service_level: str,
        label: str,
        cost: Decimal,
        ship_at: dt.datetime,
        offered: Mapping[DeliveryOption, Decimal],
    ) -> None:
        self.order = order
        self.delivery_type = delivery_type
        self.carrier = carrier
        self.service = service
        self.service_level = service_level
        self.label = label
        self.base_cost = cost
        self.cost = cost
        self.offered = offered
        self.required: list[DeliveryOption] = []
        self.removed_by: str | None = None
        self.ship_at = ship_at
        self.ship_weekday: Weekday = weekday_name(ship_at.date())
        self.transit_days: int | None = None
        self.delivery_by: dt.time | None = None
        self.estimated_delivery = ship_at
        self.arrival_weekday: Weekday = self.ship_weekday
        self.transit_hours = 0.0
        self.idle_days = 0

    def arrive(self, arrival: Arrival) -> None:
        """Set the arrival and the facts derived from it."""
        self.estimated_delivery = arrival.at
        self.arrival_weekday = arrival.weekday
        self.transit_hours = arrival.transit_hours
        self.idle_days = arrival.idle_days

    def schedule(self, site: Site) -> bool:
        """Work out the arrival from transit days (rate-card quotes); False when none is found."""
        if self.transit_days is None or self.delivery_by is None:
            return True
        arrival = site.calendar.arrival(
            self.ship_at,
            self.transit_days,
            self.delivery_by,
            self.order.patient_zone,
            saturday=DeliveryOption.SATURDAY_DELIVERY in self.required,
        )
        if arrival is None:
            return False
        self.arrive(arrival)
        return True

    def require(self, option: DeliveryOption, site: Site) -> bool:
        """Add an extra (and its price); False when this candidate does not offer it."""
        if option in self.required:
            return True
        price = self.offered.get(option)
        if price is None:
            return False
        self.required.append(option)
        self.cost += price
        if option is DeliveryOption.SATURDAY_DELIVERY:
            return self.schedule(site)
        return True


def courier_candidate(order: OrderFacts, run: CourierRun, site: Site) -> Candidate:
    """A candidate for one courier run."""
    courier = site.config.courier
    assert courier is not None
    candidate = Candidate(
        order,
        delivery_type=DeliveryType.COURIER,
        carrier=courier.carrier,
        service=courier.service,
        service_level=courier.level,
        label=run.label,
        cost=run.cost,
        ship_at=run.leaves,
        offered=dict(courier.options),
    )
    candidate.arrive(Arrival.between(run.leaves, run.arrives, idle_days=0))
    return candidate


def quote_candidate(
    order: OrderFacts, quote: CarrierQuote, site: Site, now: dt.datetime
) -> Candidate | str:
    """A candidate for a carrier or drop-ship quote, or why it cannot be placed in time."""
    ship_at = now.astimezone(site.zone)
    if quote.delivery_type is DeliveryType.CARRIER:
        pickup = site.pickups.get(quote.carrier)
        if pickup is None:
            return f"{quote.name} removed: the site has no pickup set up with {quote.carrier}"
        found = site.calendar.next_pickup(order.local, pickup.cutoff, pickup.days)
        if found is None:
            return f"{quote.name} removed: no {quote.carrier} pickup in the next weeks"
        ship_at = found
    candidate = Candidate(
        order,
        delivery_type=quote.delivery_type,
        carrier=quote.carrier,
        service=quote.service,
        service_level=quote.service_level,
        label=quote.name,
        cost=quote.cost,
        ship_at=ship_at,
        offered=quote.options,
    )
    if quote.estimated_delivery is not None:
        saturday = DeliveryOption.SATURDAY_DELIVERY in candidate.required
        arrives = quote.estimated_delivery
        idle = site.calendar.idle_days(ship_at.date(), arrives.date(), saturday=saturday)
        candidate.arrive(Arrival.between(ship_at, arrives, idle_days=idle))
        return candidate
    candidate.transit_days = quote.transit_days
    candidate.delivery_by = quote.delivery_by
    if not candidate.schedule(site):
        return f"{quote.name} removed: no delivery day found after pickup"
    return candidate
