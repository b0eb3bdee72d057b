"""US ZIP code centroids from the offline ``zipcodes`` package (no network, no API key).

A centroid is the middle of the ZIP's area, so distances are approximate (a few miles in cities,
more in rural ZIPs): good enough for a courier radius, not for turn-by-turn routing.
"""

from __future__ import annotations

import threading
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import zipcodes

from finalmile.geo.locate import Location


class ZipCentroids:
    """A ``Geocoder`` over the 5-digit US ZIP database; ZIP+4 is read as its first five digits.

    The table (about 42,000 ZIPs) is indexed on first use and shared by every instance.
    """

    _index: dict[str, Location] | None = None
    _lock = threading.Lock()

    def locate(self, postal_code: str, country: str) -> Location | None:
        """The centroid of the ZIP, or None outside the US or for an unknown ZIP."""
        if country.upper() != "US":
            return None
        return self.index().get(postal_code.strip()[:5])

    @classmethod
    def index(cls) -> dict[str, Location]:
        """ZIP -> centroid for every ZIP in the database."""
        if cls._index is None:
            with cls._lock:
                if cls._index is None:
                    cls._index = {
                        row["zip_code"]: Location(
                            latitude=float(row["lat"]),
                            longitude=float(row["long"]),
                            timezone=_zone(row["timezone"]),
                            state=row["state"] or None,
                            city=row["city"] or None,
                            postal_code=row["zip_code"],
                        )
                        for row in zipcodes.list_all()  # type: ignore[no-untyped-call]
                        if row["lat"] and row["long"]
                    }
        return cls._index


@cache
def _zone(name: str | None) -> str | None:
    # A few rows carry a place name instead of an IANA zone: treat those as unknown.
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name
