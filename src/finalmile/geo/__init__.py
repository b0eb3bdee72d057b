"""Where addresses are: the ``Geocoder`` Protocol, the offline ZIP-centroid geocoder and the
state of each ZIP."""

from finalmile.geo.locate import Geocoder, Location, haversine_miles
from finalmile.geo.warm import load_zip_tables
from finalmile.geo.zip_centroids import ZipCentroids
from finalmile.geo.zip_states import zip_states

__all__ = [
    "Geocoder",
    "Location",
    "ZipCentroids",
    "haversine_miles",
    "load_zip_tables",
    "zip_states",
]
