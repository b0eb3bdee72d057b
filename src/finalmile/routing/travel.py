"""Where stored plans, re-plans and live ETAs get travel times.

A travel source is named by one string, and a stored plan records the name of the one that priced
it (``route_plan.travel_source``): ``haversine`` (the offline great-circle estimate), or a
self-hosted routing engine's table service, ``osrm+http://HOST:PORT`` or
``valhalla+http://HOST:PORT`` (https too), as ``FINALMILE_ROUTING_TABLE_URL`` configures it. New
plans use the configured source; a re-plan and the ETA updates of a plan use the plan's own, so a
day is priced one way from its first plan to its last report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from finalmile.errors import InputError, PermanentError, RetriableError
from finalmile.routing.codes import RoutingCode
from finalmile.routing.http_table import OsrmTableProvider, ValhallaTableProvider
from finalmile.routing.matrix import HaversineProvider, MatrixProvider, TravelMatrix
from finalmile.routing.problem import GeoPoint

HAVERSINE = "haversine"
PLAN_TIMEOUT_S = 30.0
"""How long planning waits for the engine's table."""
ETA_TIMEOUT_S = 5.0
"""How long an ETA update waits (it holds the driver's update open meanwhile)."""


def configured(table_url: str | None) -> str:
    """The travel source new plans use: the configured engine table URL, else haversine."""
    return table_url or HAVERSINE


@dataclass(frozen=True, slots=True)
class TravelSource:
    """A named travel source; engine failures name it (``RetriableError`` when it is down or
    busy, ``PermanentError`` when it refuses), so nothing is stored from a failed pricing."""

    name: str
    timeout_s: float = PLAN_TIMEOUT_S

    def provider(self) -> MatrixProvider:
        """The provider behind the name.

        Raises:
            InputError: not a source name (``haversine``, ``osrm+URL``, ``valhalla+URL``).
        """
        if self.name == HAVERSINE:
            return HaversineProvider()
        engine, _, url = self.name.partition("+")
        if engine == "osrm" and url:
            return OsrmTableProvider(url, timeout_s=self.timeout_s)
        if engine == "valhalla" and url:
            return ValhallaTableProvider(url, timeout_s=self.timeout_s)
        raise InputError(
            f"unknown travel-time source {self.name!r}",
            location="travel_source",
            code=RoutingCode.UNKNOWN,
        )

    def matrix(self, points: Sequence[GeoPoint]) -> TravelMatrix:
        """The all-pairs matrix over ``points``."""
        provider = self.provider()
        try:
            return provider.matrix(points)
        except RetriableError as exc:
            raise RetriableError(f"travel times from {self.name}: {exc}") from exc
        except PermanentError as exc:
            raise PermanentError(f"travel times from {self.name}: {exc}") from exc
