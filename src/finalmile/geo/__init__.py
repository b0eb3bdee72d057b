"""Where addresses are: the ``Geocoder`` Protocol and the offline ZIP-centroid geocoder."""

from finalmile.geo.locate import Geocoder, Location, haversine_miles
from finalmile.geo.zip_centroids import ZipCentroids

__all__ = [
    "Geocoder",
    "Location",
    "ZipCentroids",
    "haversine_miles",
]
