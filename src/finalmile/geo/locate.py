"""The geocoder interface and great-circle distance."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

EARTH_RADIUS_MILES = 3958.8


@dataclass(frozen=True, slots=True)
class Location:
    """A point with the IANA time zone, state, city and postal code it lies in (None when
    unknown)."""

    latitude: float
    longitude: float
    timezone: str | None = None
    state: str | None = None
    city: str | None = None
    postal_code: str | None = None


class Geocoder(Protocol):
    """Finds where a postal address is. Implementations must be deterministic for a given input."""

    def locate(self, postal_code: str, country: str) -> Location | None:
        """The location of ``postal_code`` in ``country`` (ISO alpha-2), or None when unknown."""
        ...


def haversine_miles(a: Location, b: Location) -> float:
    """Great-circle distance between two points, in statute miles."""
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat = lat2 - lat1
    dlon = math.radians(b.longitude - a.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(h))
