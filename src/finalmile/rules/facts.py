"""The facts a rule can test: what is known about an order, and about each candidate way to send it.

Order facts are worked out once per decision; candidate facts once per candidate (a courier run, a
carrier service, a drop shipper). ``docs/rules.md`` lists the same table for rule writers.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from finalmile.canonical import StorageClass
from finalmile.rules.site_config import WEEKDAYS


class FactType(StrEnum):
    """The kind of value a fact holds, which decides the tests it accepts."""

    NUMBER = "number"
    TEXT = "text"
    FLAG = "true/false"
    TIME = "time of day (HH:MM)"
    WEEKDAY = "weekday"
    STORAGE = "storage class"
    DELIVERY_TYPE = "delivery type"


class DeliveryType(StrEnum):
    """How an order travels; ``hold`` means a person decides."""

    COURIER = "courier"
    CARRIER = "carrier"
    DROP_SHIP = "drop_ship"
    HOLD = "hold"


#: The values allowed for the enumerated fact types.
CHOICES: dict[FactType, tuple[str, ...]] = {
    FactType.WEEKDAY: WEEKDAYS,
    FactType.STORAGE: tuple(s.value for s in StorageClass),
    FactType.DELIVERY_TYPE: tuple(d.value for d in DeliveryType if d is not DeliveryType.HOLD),
}


@dataclass(frozen=True, slots=True)
class Fact:
    """One testable fact: its name in rule files, type, whether it is about a candidate, meaning."""

    name: str
    type: FactType
    per_candidate: bool
    meaning: str


FACTS: dict[str, Fact] = {
    f.name: f
    for f in (
        Fact("storage", FactType.STORAGE, False, "strictest storage class among the items"),
        Fact("distance_miles", FactType.NUMBER, False, "site to ship-to ZIP, straight line"),
        Fact("postal_code", FactType.TEXT, False, "ship-to ZIP, first five digits"),
        Fact("zip3", FactType.TEXT, False, "first three digits of the ship-to ZIP"),
        Fact("state", FactType.TEXT, False, "ship-to state (two letters)"),
        Fact("country", FactType.TEXT, False, "ship-to country (two letters)"),
        Fact("requires_signature", FactType.FLAG, False, "the PMS asked for a signature"),
        Fact("controlled", FactType.FLAG, False, "an item is a DEA controlled substance"),
        Fact(
            "controlled_schedule",
            FactType.TEXT,
            False,
            "strictest DEA schedule among the items (II, IIN, III, IIIN, IV, V)",
        ),
        Fact("dry_ice", FactType.FLAG, False, "an item's item master entry packs it on dry ice"),
        Fact("hazmat", FactType.FLAG, False, "an item's item master entry has hazmat flags"),
        Fact("declared_value", FactType.NUMBER, False, "USD: item quantity x unit value"),
        Fact("hours_until_needed", FactType.NUMBER, False, "from now until needed_by"),
        Fact("weekday", FactType.WEEKDAY, False, "today at the site"),
        Fact("local_time", FactType.TIME, False, "now at the site"),
        Fact("holiday", FactType.FLAG, False, "today is a closed day at the site"),
        Fact("patient_timezone", FactType.TEXT, False, "IANA zone of the ship-to ZIP"),
        Fact("patient_local_time", FactType.TIME, False, "now where the patient is"),
        Fact("delivery_type", FactType.DELIVERY_TYPE, True, "courier, carrier or drop_ship"),
        Fact("carrier", FactType.TEXT, True, "carrier slug (ups, fedex, courier...)"),
        Fact("service", FactType.TEXT, True, "service slug (ground, next_day_air...)"),
        Fact("service_level", FactType.TEXT, True, "same_day, overnight, two_day, ground..."),
        Fact("transit_hours", FactType.NUMBER, True, "from leaving the site to delivery"),
        Fact("idle_days", FactType.NUMBER, True, "days in transit with no delivery (depot)"),
        Fact("ship_weekday", FactType.WEEKDAY, True, "the day it leaves the site"),
        Fact("arrival_weekday", FactType.WEEKDAY, True, "the day it is delivered"),
        Fact("cost", FactType.NUMBER, True, "USD, with the options required so far"),
    )
}
