"""Build the ZIP tables before they are first needed (a serving process does it at start)."""

from __future__ import annotations

from finalmile.geo.zip_centroids import ZipCentroids
from finalmile.geo.zip_states import zip_states


def load_zip_tables() -> None:
    """Index the ZIP centroids and states now rather than on the first order."""
    ZipCentroids.index()
    zip_states("00000")
