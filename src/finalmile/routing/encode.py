"""The pharmacy day as a PyVRP problem, with the constraints PyVRP lacks folded in.

- Cold chain (max time from leaving the pharmacy, which PyVRP cannot express): departures are
  taken as the shift start (or the recorded departure of a driver already on the road), so a
  refrigerated stop's deadline is ``shift start + limit``. Drivers with different shift starts
  give different deadlines, so such a stop gets one copy per start time, each copy servable only
  by drivers starting then. The deadline is conservative: leaving later only shortens the time in
  the cooler.
- Several windows: one copy per window. A stop's copies form a PyVRP client group (at most one
  copy is served).
- Skills, cooler room and origin site: a PyVRP profile per distinct set of servable copies, whose
  distance matrix makes every other copy prohibitively far.
- Breaks: the shift PyVRP sees is shortened by the break time; breaks are placed afterwards by
  ``timing.time_route`` and the plan is repaired where that fails.
- Every copy is optional with its stop's penalty as prize, so the solver always has a feasible
  answer and drops only what it must (or what is cheaper to defer).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pyvrp

from finalmile.routing.matrix import TravelMatrix
from finalmile.routing.problem import RoutingProblem, eligible, stop_penalty
from finalmile.routing.timing import DriverSec, StopSec

if TYPE_CHECKING:
    from finalmile.routing.matrix import IntMatrix

FORBIDDEN_M = 10**10
"""Distance given to an edge into a copy the vehicle may not serve (outweighs any prize)."""


@dataclass(frozen=True, slots=True)
class Copy:
    """One PyVRP client: a stop in one window, for drivers starting at ``departure`` (or any)."""

    stop: int
    early: int
    late: int
    departure: int | None


@dataclass(frozen=True, slots=True)
class Encoded:
    """The PyVRP data and how to read its answer back."""

    data: pyvrp.ProblemData
    copies: tuple[Copy, ...]
    fleets: tuple[tuple[int, ...], ...]
    """Driver indices of each PyVRP vehicle type (drivers alike for the solver share a type)."""


def copies_for(
    problem: RoutingProblem, stop: StopSec, drivers: list[DriverSec]
) -> list[tuple[Copy, list[int]]]:
    """The copies of ``stop`` that some driver can reach in time, with those drivers' indices."""
    starts: list[int | None] = [None]
    if stop.cold_limit is not None:
        starts = [*sorted({_anchor(d) for d in drivers})]
    out: list[tuple[Copy, list[int]]] = []
    for early, late in stop.windows:
        for start in starts:
            deadline = late if start is None or stop.cold_limit is None else start + stop.cold_limit
            copy = Copy(stop.index, early, min(late, deadline), start)
            able = [
                d.index
                for d in drivers
                if (start is None or _anchor(d) == start)
                and eligible(problem.stops[stop.index], problem.drivers[d.index])
            ]
            if copy.early <= copy.late and able:
                out.append((copy, able))
    return out


def _anchor(driver: DriverSec) -> int:
    """When the cooler clock starts for ``driver`` at the earliest."""
    return driver.shift[0] if driver.cold_anchor is None else driver.cold_anchor


def encode(
    problem: RoutingProblem,
    matrix: TravelMatrix,
    stops: list[StopSec],
    drivers: list[DriverSec],
) -> Encoded:
    """PyVRP data for ``stops`` (already known to be reachable) and every driver."""
    copies: list[Copy] = []
    servers: list[list[int]] = []
    groups: list[list[int]] = []
    for stop in stops:
        found = copies_for(problem, stop, drivers)
        if len(found) > 1:
            groups.append(list(range(len(copies), len(copies) + len(found))))
        for copy, able in found:
            copies.append(copy)
            servers.append(able)
    n_sites = len(problem.sites)
    points = np.array(
        list(range(n_sites)) + [problem.stop_point(c.stop) for c in copies], dtype=np.int64
    )
    where = problem.points()
    distance: IntMatrix = matrix.distance_m[np.ix_(points, points)]
    duration: IntMatrix = matrix.duration_s[np.ix_(points, points)]
    signatures: dict[bytes, int] = {}
    forbidden_masks: list[np.ndarray] = []
    vehicle_profile: list[int] = []
    for driver in drivers:
        allowed = np.zeros(len(copies), dtype=bool)
        for c, able in enumerate(servers):
            allowed[c] = driver.index in able
        signature = allowed.tobytes()
        if signature not in signatures:
            signatures[signature] = len(forbidden_masks)
            forbidden_masks.append(~allowed)
        vehicle_profile.append(signatures[signature])
    distances: list[Any] = []  # PyVRP's stubs type matrices loosely
    for mask in forbidden_masks:
        profile = distance.copy()
        profile[:, n_sites:][:, mask] = FORBIDDEN_M
        np.fill_diagonal(profile, 0)
        distances.append(profile)
    group_of = {c: g for g, members in enumerate(groups) for c in members}
    by_index = {s.index: s for s in stops}
    clients = [
        pyvrp.Client(
            location=n_sites + c,
            delivery=[by_index[copy.stop].packages, by_index[copy.stop].cold_packages],
            service_duration=by_index[copy.stop].service,
            tw_early=copy.early,
            tw_late=copy.late,
            prize=stop_penalty(problem.stops[copy.stop]),
            required=_must_go(problem, copy.stop) and c not in group_of,
            group=group_of.get(c),
        )
        for c, copy in enumerate(copies)
    ]
    fleet: dict[tuple[Any, ...], list[int]] = {}
    for driver, profile_index in zip(drivers, vehicle_profile, strict=True):
        pause = sum(length for _, _, length in driver.breaks)
        key = (
            driver.start_point,
            driver.end_point,
            driver.shift[0],
            driver.shift[1] - pause,
            driver.capacity,
            driver.cooler_capacity,
            profile_index,
            driver.breaks,  # alike for the solver, but breaks are placed per driver afterwards
        )
        fleet.setdefault(key, []).append(driver.index)
    vehicle_types = [
        pyvrp.VehicleType(
            num_available=len(members),
            capacity=[capacity, cooler],
            start_depot=start,
            end_depot=end,
            tw_early=early,
            tw_late=late,
            shift_duration=late - early,
            profile=profile_index,
        )
        for (start, end, early, late, capacity, cooler, profile_index, _), members in fleet.items()
    ]
    data = pyvrp.ProblemData(
        locations=[pyvrp.Location(x=where[i].lon, y=where[i].lat) for i in points.tolist()],
        clients=clients,
        depots=[pyvrp.Depot(location=i) for i in range(n_sites)],
        vehicle_types=vehicle_types,
        distance_matrices=distances,
        duration_matrices=[cast(Any, duration)] * len(distances),
        groups=[
            pyvrp.ClientGroup(members, required=_must_go(problem, copies[members[0]].stop))
            for members in groups
        ],
    )
    return Encoded(data, tuple(copies), tuple(tuple(m) for m in fleet.values()))


def _must_go(problem: RoutingProblem, stop: int) -> bool:
    return problem.stops[stop].deferral_penalty is None
