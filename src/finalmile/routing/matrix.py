"""Travel matrices and the offline default provider (haversine x road factor, speed profile).

A ``MatrixProvider`` turns points into a square ``TravelMatrix`` (metres and seconds, integers).
Production can plug in a routing engine's ``table`` service (``finalmile.routing.http_table``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeAlias

from finalmile.routing.problem import GeoPoint

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    IntMatrix: TypeAlias = npt.NDArray[np.int64]

EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True, slots=True)
class TravelMatrix:
    """Driving distance (metres) and duration (seconds) from row point to column point."""

    distance_m: IntMatrix
    duration_s: IntMatrix

    def __post_init__(self) -> None:
        n = len(self.distance_m)
        if self.distance_m.shape != (n, n) or self.duration_s.shape != (n, n):
            raise ValueError("travel matrices must be square and of equal size")


class MatrixProvider(Protocol):
    """Anything that can price travel between points."""

    def matrix(self, points: Sequence[GeoPoint]) -> TravelMatrix:
        """The all-pairs travel matrix over ``points`` in order."""
        ...


@dataclass(frozen=True, slots=True)
class SpeedBand:
    """Average door-to-door speed for trips up to ``up_to_m`` metres of road."""

    up_to_m: float
    kmh: float


DEFAULT_SPEED_PROFILE = (
    SpeedBand(up_to_m=2_000, kmh=20.0),
    SpeedBand(up_to_m=10_000, kmh=35.0),
    SpeedBand(up_to_m=40_000, kmh=55.0),
    SpeedBand(up_to_m=math.inf, kmh=80.0),
)
"""Short hops crawl through streets and parking; long ones reach highways."""


def haversine_m(a: GeoPoint, b: GeoPoint) -> float:
    """Great-circle distance in metres."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlon = lat2 - lat1, math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True, slots=True)
class HaversineProvider:
    """Offline estimate: great-circle distance x ``road_factor``, timed with a speed profile.

    Each trip's road distance is timed piecewise: the first band's metres at its speed, the next
    band's metres at its speed and so on, so duration grows monotonically with distance.
    """

    road_factor: float = 1.3
    speed_profile: tuple[SpeedBand, ...] = DEFAULT_SPEED_PROFILE

    def matrix(self, points: Sequence[GeoPoint]) -> TravelMatrix:
        """The all-pairs estimate over ``points``."""
        # Deferred: NumPy loads with the first matrix, not in every process that imports routing.
        import numpy as np  # noqa: PLC0415

        lat = np.radians(np.array([p.lat for p in points], dtype=float))
        lon = np.radians(np.array([p.lon for p in points], dtype=float))
        dlat = lat[None, :] - lat[:, None]
        dlon = lon[None, :] - lon[:, None]
        h = (
            np.sin(dlat / 2) ** 2
            + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
        )
        road = 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(h))) * self.road_factor
        return TravelMatrix(
            distance_m=np.rint(road).astype(np.int64),
            duration_s=np.rint(self._seconds(road)).astype(np.int64),
        )

    def _seconds(self, road_m: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        # Deferred, as in matrix().
        import numpy as np  # noqa: PLC0415

        seconds = np.zeros_like(road_m)
        lower = 0.0
        for band in self.speed_profile:
            covered = np.clip(road_m - lower, 0.0, band.up_to_m - lower)
            seconds += covered / (band.kmh / 3.6)
            lower = band.up_to_m
        return seconds
