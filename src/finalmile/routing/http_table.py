"""Travel matrices from a self-hosted routing engine's table service (OSRM or Valhalla).

Only coordinates are sent, never patient data. Transport failures, timeouts, 429 and 5xx become
``RetriableError``; other refusals become ``PermanentError``. Pairs the engine cannot route get
``UNROUTABLE`` so the planner treats them as out of reach instead of failing the whole day.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from finalmile.errors import PermanentError, RetriableError
from finalmile.routing.matrix import TravelMatrix
from finalmile.routing.problem import GeoPoint

if TYPE_CHECKING:
    import numpy as np

UNROUTABLE = 10_000_000
"""Metres and seconds given to a pair the engine reports as unroutable (about 116 days)."""


def _fetch_json(request: urllib.request.Request, timeout: float, engine: str) -> Any:
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return json.load(response)
    except urllib.error.HTTPError as exc:
        exc.close()  # it holds the connection; the error outlives this call
        if exc.code == 429 or exc.code >= 500:
            raise RetriableError(f"{engine} table: HTTP {exc.code}") from exc
        raise PermanentError(f"{engine} table: HTTP {exc.code}") from exc
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        raise RetriableError(f"{engine} table: unreachable ({exc})") from exc
    except json.JSONDecodeError as exc:
        raise PermanentError(f"{engine} table: response is not JSON") from exc


def _as_matrix(rows: Any, n: int, engine: str, what: str) -> np.ndarray[Any, np.dtype[np.int64]]:
    if not isinstance(rows, list) or len(rows) != n or any(len(r) != n for r in rows):
        raise PermanentError(f"{engine} table: {what} is not a {n}x{n} matrix")
    values = [[UNROUTABLE if v is None else round(float(v)) for v in row] for row in rows]
    # Deferred: NumPy loads with the first matrix, not in every process that imports routing.
    import numpy as np  # noqa: PLC0415

    return np.array(values, dtype=np.int64)


@dataclass(frozen=True, slots=True)
class OsrmTableProvider:
    """OSRM ``GET /table/v1/{profile}/{coordinates}?annotations=duration,distance``."""

    base_url: str
    profile: str = "driving"
    timeout_s: float = 30.0

    def matrix(self, points: Sequence[GeoPoint]) -> TravelMatrix:
        """Ask the engine for all pairs over ``points``."""
        coordinates = ";".join(f"{p.lon:.6f},{p.lat:.6f}" for p in points)
        url = (
            f"{self.base_url.rstrip('/')}/table/v1/{self.profile}/{coordinates}"
            "?annotations=duration,distance"
        )
        body = _fetch_json(urllib.request.Request(url), self.timeout_s, "OSRM")  # noqa: S310
        if not isinstance(body, dict) or body.get("code") != "Ok":
            code = body.get("code") if isinstance(body, dict) else None
            raise PermanentError(f"OSRM table: engine answered {code!r}")
        n = len(points)
        return TravelMatrix(
            distance_m=_as_matrix(body.get("distances"), n, "OSRM", "distances"),
            duration_s=_as_matrix(body.get("durations"), n, "OSRM", "durations"),
        )


@dataclass(frozen=True, slots=True)
class ValhallaTableProvider:
    """Valhalla ``POST /sources_to_targets`` (distances come back in kilometres)."""

    base_url: str
    costing: str = "auto"
    timeout_s: float = 30.0

    def matrix(self, points: Sequence[GeoPoint]) -> TravelMatrix:
        """Ask the engine for all pairs over ``points``."""
        locations = [{"lat": p.lat, "lon": p.lon} for p in points]
        payload = {"sources": locations, "targets": locations, "costing": self.costing}
        request = urllib.request.Request(  # noqa: S310 (the engine URL comes from settings)
            f"{self.base_url.rstrip('/')}/sources_to_targets",
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        body = _fetch_json(request, self.timeout_s, "Valhalla")
        cells = body.get("sources_to_targets") if isinstance(body, dict) else None
        n = len(points)
        if not isinstance(cells, list):
            raise PermanentError("Valhalla table: no sources_to_targets in the answer")
        try:
            km = [[c.get("distance") for c in row] for row in cells]
            seconds = [[c.get("time") for c in row] for row in cells]
        except (AttributeError, TypeError) as exc:
            raise PermanentError("Valhalla table: malformed sources_to_targets") from exc
        metres = [[None if v is None else float(v) * 1000 for v in row] for row in km]
        return TravelMatrix(
            distance_m=_as_matrix(metres, n, "Valhalla", "distance"),
            duration_s=_as_matrix(seconds, n, "Valhalla", "time"),
        )
