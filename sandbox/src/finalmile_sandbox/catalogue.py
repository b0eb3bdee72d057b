"""The carriers and services the sandbox quotes, and the rules that price them and time them.

Everything here is pure and deterministic: the same shipment on the same day always gets the same
rates and delivery dates. ``docs/sandbox.md`` draws these tables for humans; keep them in step.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

CENT = Decimal("0.01")


class Carrier(StrEnum):
    """The national carriers; values are EasyPost's carrier names and Shippo's providers."""

    USPS = "USPS"
    UPS = "UPS"
    FEDEX = "FedEx"

    @property
    def token(self) -> str:
        """Shippo's carrier token (``usps``, ``ups``, ``fedex``)."""
        return self.value.lower()


class Saturday(StrEnum):
    """When a service delivers on Saturdays (never on Sundays)."""

    ALWAYS = "always"
    WITH_OPTION = "with_option"  # only when the shipment asks for saturday_delivery
    NEVER = "never"


# Distance bands: (up to miles, transit days); the last band has no upper bound.
Bands = tuple[tuple[float, int], ...]


@dataclass(frozen=True)
class Service:
    """One service level of one carrier."""

    token: str  # Shippo's servicelevel token, also the sandbox's key
    carrier: Carrier
    easypost_name: str
    name: str
    transit: Bands
    saturday: Saturday
    base: Decimal
    per_zone: Decimal
    per_lb: Decimal

    def transit_days(self, miles: float) -> int:
        """Delivery days in transit for a distance."""
        for limit, days in self.transit:
            if miles <= limit:
                return days
        return self.transit[-1][1]


_INF = math.inf
_GROUND: Bands = ((150, 1), (400, 2), (800, 3), (1400, 4), (_INF, 5))
_GROUND_ADVANTAGE: Bands = ((150, 2), (800, 3), (1400, 4), (_INF, 5))
_PRIORITY: Bands = ((400, 1), (1400, 2), (_INF, 3))
_EXPRESS: Bands = ((1400, 1), (_INF, 2))
_TWO_DAY: Bands = ((_INF, 2),)
_OVERNIGHT: Bands = ((_INF, 1),)


# token, carrier, EasyPost name, display name, transit bands, Saturday rule, (base, zone, lb) USD
_TABLE = (
    ("usps_ground_advantage", Carrier.USPS, "GroundAdvantage", "Ground Advantage",
     _GROUND_ADVANTAGE, Saturday.ALWAYS, ("5.40", "0.45", "0.90")),
    ("usps_priority", Carrier.USPS, "Priority", "Priority Mail",
     _PRIORITY, Saturday.ALWAYS, ("8.10", "0.85", "1.40")),
    ("usps_priority_express", Carrier.USPS, "Express", "Priority Mail Express",
     _EXPRESS, Saturday.ALWAYS, ("28.75", "2.10", "3.20")),
    ("ups_ground", Carrier.UPS, "Ground", "UPS Ground",
     _GROUND, Saturday.NEVER, ("10.20", "0.70", "1.10")),
    ("ups_second_day_air", Carrier.UPS, "2ndDayAir", "UPS 2nd Day Air",
     _TWO_DAY, Saturday.WITH_OPTION, ("21.50", "1.90", "2.60")),
    ("ups_next_day_air_saver", Carrier.UPS, "NextDayAirSaver", "UPS Next Day Air Saver",
     _OVERNIGHT, Saturday.NEVER, ("38.40", "3.10", "4.20")),
    ("ups_next_day_air", Carrier.UPS, "NextDayAir", "UPS Next Day Air",
     _OVERNIGHT, Saturday.WITH_OPTION, ("44.90", "3.40", "4.60")),
    ("fedex_ground", Carrier.FEDEX, "FEDEX_GROUND", "FedEx Ground",
     _GROUND, Saturday.NEVER, ("10.05", "0.68", "1.08")),
    ("fedex_2_day", Carrier.FEDEX, "FEDEX_2_DAY", "FedEx 2Day",
     _TWO_DAY, Saturday.WITH_OPTION, ("21.20", "1.85", "2.55")),
    ("fedex_standard_overnight", Carrier.FEDEX, "STANDARD_OVERNIGHT",
     "FedEx Standard Overnight", _OVERNIGHT, Saturday.NEVER, ("39.10", "3.05", "4.15")),
    ("fedex_priority_overnight", Carrier.FEDEX, "PRIORITY_OVERNIGHT",
     "FedEx Priority Overnight", _OVERNIGHT, Saturday.WITH_OPTION, ("46.30", "3.50", "4.70")),
)  # fmt: skip
SERVICES: tuple[Service, ...] = tuple(
    Service(token, carrier, easypost_name, name, transit, saturday, *map(Decimal, prices))
    for token, carrier, easypost_name, name, transit, saturday, prices in _TABLE
)
SERVICES_BY_TOKEN = {service.token: service for service in SERVICES}

#: Zones by distance, like the carriers' zone charts: (up to miles, zone).
ZONES: tuple[tuple[float, int], ...] = (
    (50, 1), (150, 2), (300, 3), (600, 4), (1000, 5), (1400, 6), (1800, 7), (_INF, 8),
)  # fmt: skip

SIGNATURE_SURCHARGES = {
    "NO_SIGNATURE": Decimal("0.00"),
    "SIGNATURE": Decimal("3.25"),
    "ADULT_SIGNATURE": Decimal("7.45"),
}
SATURDAY_SURCHARGE = Decimal("16.00")
DRY_ICE_SURCHARGE = Decimal("6.50")
#: USPS takes at most 5.5 lb of dry ice per parcel; heavier dry ice gets no USPS rates.
USPS_DRY_ICE_LIMIT_OZ = 88.0
#: The one USPS service that carries declared dangerous goods domestically.
USPS_HAZMAT_SERVICE = "usps_ground_advantage"
INSURANCE_RATE = Decimal("0.01")
INSURANCE_MINIMUM = Decimal("1.00")
#: Hour (UTC) of the estimated delivery time on the delivery date.
DELIVERY_HOUR_UTC = 20


def zone_for(miles: float) -> int:
    """The pricing zone (1-8) of a distance."""
    return next(zone for limit, zone in ZONES if miles <= limit)


@dataclass(frozen=True)
class Options:
    """The shipment options that change rates and dates."""

    signature: str = "NO_SIGNATURE"
    saturday_delivery: bool = False
    dry_ice_weight_oz: float | None = None  # None: no dry ice
    hazmat: bool = False  # dangerous goods declared


def offers(service: Service, options: Options) -> bool:
    """Whether the service is quoted at all for these options: USPS takes at most 5 lb of dry
    ice, and dangerous goods only by Ground Advantage."""
    dry_ice = options.dry_ice_weight_oz
    if service.carrier is not Carrier.USPS:
        return True
    if dry_ice is not None and dry_ice > USPS_DRY_ICE_LIMIT_OZ:
        return False
    return not options.hazmat or service.token == USPS_HAZMAT_SERVICE


def delivers_saturday(service: Service, options: Options) -> bool:
    """Whether Saturday counts as a delivery day for this service and these options."""
    if service.saturday is Saturday.WITH_OPTION:
        return options.saturday_delivery
    return service.saturday is Saturday.ALWAYS


def price(service: Service, *, miles: float, weight_oz: float, options: Options) -> Decimal:
    """The rate in USD: base + per zone above 1 + per pound above 1 + option surcharges."""
    pounds = max(1, math.ceil(weight_oz / 16))
    amount = service.base + service.per_zone * (zone_for(miles) - 1) + service.per_lb * (pounds - 1)
    amount += SIGNATURE_SURCHARGES[options.signature]
    if options.saturday_delivery and service.saturday is Saturday.WITH_OPTION:
        amount += SATURDAY_SURCHARGE
    if options.dry_ice_weight_oz is not None:
        amount += DRY_ICE_SURCHARGE
    return amount.quantize(CENT)


def insurance_fee(value: Decimal) -> Decimal:
    """What insuring a parcel for ``value`` USD costs."""
    return max(INSURANCE_MINIMUM, value * INSURANCE_RATE).quantize(CENT)


def ship_date(service: Service, created: dt.datetime) -> dt.date:
    """The day the carrier picks up: the creation day (UTC), else its next pickup day.

    USPS picks up Monday to Saturday, UPS and FedEx Monday to Friday.
    """
    last_pickup_weekday = 5 if service.carrier is Carrier.USPS else 4
    day = created.astimezone(dt.UTC).date()
    while day.weekday() > last_pickup_weekday:
        day += dt.timedelta(days=1)
    return day


def delivery_date(service: Service, *, shipped: dt.date, miles: float, options: Options) -> dt.date:
    """Ship date plus the transit days, counting only days the service delivers on."""
    saturday = delivers_saturday(service, options)
    day, remaining = shipped, service.transit_days(miles)
    while remaining:
        day += dt.timedelta(days=1)
        if day.weekday() == 6 or (day.weekday() == 5 and not saturday):
            continue
        remaining -= 1
    return day


def delivery_datetime(day: dt.date) -> dt.datetime:
    """The estimated delivery time on a delivery date."""
    return dt.datetime.combine(day, dt.time(DELIVERY_HOUR_UTC), tzinfo=dt.UTC)
