"""US ZIP code centroids (the offline ``zipcodes`` table) and great-circle distances."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import zipcodes

EARTH_RADIUS_MILES = 3958.8


@dataclass(frozen=True)
class ZipInfo:
    """What the sandbox knows about one five-digit ZIP code."""

    zip5: str
    city: str
    state: str
    latitude: float
    longitude: float
    time_zone: str | None


@lru_cache(maxsize=4096)
def lookup_zip(postal_code: str) -> ZipInfo | None:
    """The ZIP's centroid, city and state, or None when it is not a known US ZIP code.

    Accepts ``02139`` and ``02139-4307``; anything else is unknown.
    """
    zip5 = postal_code.strip()[:5]
    if len(zip5) != 5 or not zip5.isdigit():
        return None
    matches = zipcodes.matching(zip5)  # type: ignore[no-untyped-call]  # untyped package
    if not matches:
        return None
    row = matches[0]
    return ZipInfo(
        zip5=zip5,
        city=str(row["city"]),
        state=str(row["state"]),
        latitude=float(row["lat"]),
        longitude=float(row["long"]),
        time_zone=row.get("timezone") or None,
    )


def haversine_miles(a: ZipInfo, b: ZipInfo) -> float:
    """Great-circle distance between two ZIP centroids, in statute miles."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(h))
