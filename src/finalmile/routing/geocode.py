"""Offline geocoding to US ZIP centroids (``zipcodes`` package data): nothing leaves the host."""

from __future__ import annotations

import zipcodes

from finalmile.errors import InputError
from finalmile.routing.model import GeoPoint


def zip_centroid(postal_code: str, *, location: str = "postal_code") -> GeoPoint:
    """The centroid of a US ZIP code (ZIP+4 accepted).

    Raises:
        InputError: the code is malformed or unknown; ``location`` names the field.
    """
    five = postal_code.strip()[:5]
    try:
        matches = zipcodes.matching(five)
    except (TypeError, ValueError) as exc:
        raise InputError("not a US ZIP code", location=location, code="invalid_zip") from exc
    if not matches:
        raise InputError("unknown US ZIP code", location=location, code="unknown_zip")
    match = matches[0]
    return GeoPoint(lat=float(match["lat"]), lon=float(match["long"]))
