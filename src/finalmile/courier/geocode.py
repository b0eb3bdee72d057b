"""Offline geocoding to US ZIP centroids (``finalmile.geo``): nothing leaves the host."""

from __future__ import annotations

from finalmile.courier.codes import CourierCode
from finalmile.errors import InputError
from finalmile.geo import ZipCentroids
from finalmile.routing import GeoPoint


def zip_centroid(postal_code: str, *, location: str = "postal_code") -> GeoPoint:
    """The centroid of a US ZIP code (ZIP+4 accepted).

    Raises:
        InputError: the code is malformed or unknown; ``location`` names the field.
    """
    five = postal_code.strip()[:5]
    if len(five) != 5 or not five.isdigit():
        raise InputError("not a US ZIP code", location=location, code=CourierCode.INVALID_ZIP)
    found = ZipCentroids().locate(five, "US")
    if found is None:
        raise InputError("unknown US ZIP code", location=location, code=CourierCode.UNKNOWN_ZIP)
    return GeoPoint(lat=found.latitude, lon=found.longitude)
