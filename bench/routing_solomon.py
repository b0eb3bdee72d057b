"""Solomon VRPTW (56 x 100 customers): gap to the best-known distance, four engines, same budget.

Usage: .venv/bin/python bench/routing_solomon.py --seconds 5 [--instances C101 R205 ...]
       [--engines planner pyvrp ortools vroom] [--data ../shared/data/solomon]

Convention (the best-known solutions' own, CVRPLIB/DIMACS): distance-only objective, vehicle
count free up to the instance's fleet, every Euclidean distance truncated to one decimal. All
engines get the same integer matrix (tenths) and travel time equals distance. Each solution is
re-checked here (windows, capacity, every customer once) before its gap is printed; an infeasible
or missing answer prints as such and is left out of the mean.

Engines, each single-threaded with the same wall-clock budget per instance:
- planner: finalmile.routing.plan (PyVRP plus our timing, repair and re-insertion);
- pyvrp: PyVRP alone on the plain instance;
- ortools: OR-Tools routing, guided local search, LOCAL_CHEAPEST_INSERTION first solution;
- vroom: VROOM (pyvroom), exploration level 5, one thread, the budget as its timeout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyvrp
import vroom
from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from pyvrp.stop import MaxRuntime

from finalmile.routing import (
    Budget,
    Driver,
    GeoPoint,
    RoutingProblem,
    Site,
    Stop,
    TimeWindow,
    TravelMatrix,
    check_plan,
    plan,
)

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "solomon"
SCALE = 10
EPOCH = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Instance:
    """A Solomon instance, already scaled to integer tenths."""

    name: str
    vehicles: int
    capacity: int
    xy: list[tuple[float, float]]
    demand: list[int]
    ready: list[int]
    due: list[int]
    service: list[int]
    matrix: np.ndarray
    best_known: float


def read_instance(path: Path) -> Instance:
    """Parse the original Solomon text format and its ``.sol`` best-known cost."""
    lines = [line.split() for line in path.read_text().splitlines()]
    vehicles, capacity = (int(v) for v in lines[4][:2])
    rows = [list(map(float, parts)) for parts in lines[9:] if len(parts) == 7]
    xy = [(r[1], r[2]) for r in rows]
    coords = np.array(xy)
    exact = np.sqrt(((coords[:, None, :] - coords[None, :, :]) ** 2).sum(axis=2))
    matrix = np.floor(exact * SCALE + 1e-9).astype(np.int64)
    sol = path.with_suffix(".sol").read_text().split()
    return Instance(
        name=path.stem,
        vehicles=vehicles,
        capacity=capacity,
        xy=xy,
        demand=[int(r[3]) for r in rows],
        ready=[int(r[4]) * SCALE for r in rows],
        due=[int(r[5]) * SCALE for r in rows],
        service=[int(r[6]) * SCALE for r in rows],
        matrix=matrix,
        best_known=float(sol[sol.index("Cost") + 1]),
    )


def check_routes(inst: Instance, routes: list[list[int]]) -> float | None:
    """Distance (original units) of feasible ``routes`` of customer ids, else None."""
    visited = sorted(c for r in routes for c in r)
    if visited != list(range(1, len(inst.xy))) or len([r for r in routes if r]) > inst.vehicles:
        return None
    total = 0
    for route in routes:
        if sum(inst.demand[c] for c in route) > inst.capacity:
            return None
        now, here = inst.ready[0], 0
        for c in route:
            now = max(now + int(inst.matrix[here, c]), inst.ready[c])
            if now > inst.due[c]:
                return None
            total += int(inst.matrix[here, c])
            now, here = now + inst.service[c], c
        total += int(inst.matrix[here, 0])
        if now + int(inst.matrix[here, 0]) > inst.due[0]:
            return None
    return total / SCALE


def solve_planner(inst: Instance, seconds: float) -> list[list[int]]:
    """finalmile's planner through its own pharmacy model."""

    def at(t: int) -> dt.datetime:
        return EPOCH + dt.timedelta(seconds=t)

    site = Site("depot", GeoPoint(lat=inst.xy[0][1], lon=inst.xy[0][0]))
    stops = tuple(
        Stop(
            stop_id=str(c),
            location=GeoPoint(lat=inst.xy[c][1], lon=inst.xy[c][0]),
            windows=(TimeWindow(at(inst.ready[c]), at(inst.due[c])),),
            service=dt.timedelta(seconds=inst.service[c]),
            packages=inst.demand[c],
        )
        for c in range(1, len(inst.xy))
    )
    drivers = tuple(
        Driver(f"v{v}", at(inst.ready[0]), at(inst.due[0]), "depot", "depot", inst.capacity)
        for v in range(inst.vehicles)
    )
    problem = RoutingProblem((site,), stops, drivers)
    matrix = TravelMatrix(inst.matrix, inst.matrix)
    result = plan(problem, matrix, Budget(seconds=seconds))
    report = check_plan(problem, result, matrix)
    if not report.feasible or result.unassigned:
        return []
    return [[int(v.stop_id) for v in r.visits] for r in result.routes]


def solve_pyvrp(inst: Instance, seconds: float) -> list[list[int]]:
    """PyVRP alone on the plain instance."""
    data = pyvrp.ProblemData(
        locations=[pyvrp.Location(x, y) for x, y in inst.xy],
        clients=[
            pyvrp.Client(
                location=c,
                delivery=[inst.demand[c]],
                service_duration=inst.service[c],
                tw_early=inst.ready[c],
                tw_late=inst.due[c],
            )
            for c in range(1, len(inst.xy))
        ],
        depots=[pyvrp.Depot(location=0, tw_early=inst.ready[0], tw_late=inst.due[0])],
        vehicle_types=[
            pyvrp.VehicleType(
                num_available=inst.vehicles,
                capacity=[inst.capacity],
                tw_early=inst.ready[0],
                tw_late=inst.due[0],
            )
        ],
        distance_matrices=[inst.matrix],
        duration_matrices=[inst.matrix],
    )
    result = pyvrp.solve(data, stop=MaxRuntime(seconds), seed=1, display=False)
    return [[a.idx + 1 for a in route if a.is_client()] for route in result.best.routes()]


def solve_ortools(inst: Instance, seconds: float) -> list[list[int]]:
    """OR-Tools routing: GLS from LOCAL_CHEAPEST_INSERTION."""
    n = len(inst.xy)
    manager = pywrapcp.RoutingIndexManager(n, inst.vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)
    dist = inst.matrix.tolist()

    def distance(i: int, j: int) -> int:
        return dist[manager.IndexToNode(i)][manager.IndexToNode(j)]

    def transit(i: int, j: int) -> int:
        a = manager.IndexToNode(i)
        return inst.service[a] + dist[a][manager.IndexToNode(j)]

    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitCallback(distance))
    demand = routing.RegisterUnaryTransitCallback(lambda i: inst.demand[manager.IndexToNode(i)])
    routing.AddDimensionWithVehicleCapacity(
        demand, 0, [inst.capacity] * inst.vehicles, True, "Load"
    )
    horizon = inst.due[0]
    routing.AddDimension(routing.RegisterTransitCallback(transit), horizon, horizon, False, "Time")
    time_dim = routing.GetDimensionOrDie("Time")
    for c in range(1, n):
        time_dim.CumulVar(manager.NodeToIndex(c)).SetRange(inst.ready[c], inst.due[c])
    for v in range(inst.vehicles):
        time_dim.CumulVar(routing.Start(v)).SetRange(inst.ready[0], inst.due[0])
        time_dim.CumulVar(routing.End(v)).SetRange(inst.ready[0], inst.due[0])
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = (
        routing_enums_pb2.FirstSolutionStrategy.LOCAL_CHEAPEST_INSERTION
    )
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(int(seconds * 1000))
    solution = routing.SolveWithParameters(params)
    if solution is None:
        return []
    routes = []
    for v in range(inst.vehicles):
        index, route = solution.Value(routing.NextVar(routing.Start(v))), []
        while not routing.IsEnd(index):
            route.append(manager.IndexToNode(index))
            index = solution.Value(routing.NextVar(index))
        routes.append(route)
    return routes


def solve_vroom(inst: Instance, seconds: float) -> list[list[int]]:
    """VROOM with the integer matrix as both cost and duration."""
    problem = vroom.Input()
    problem.set_durations_matrix("car", inst.matrix.tolist())
    problem.set_costs_matrix("car", inst.matrix.tolist())
    for v in range(inst.vehicles):
        problem.add_vehicle(
            vroom.Vehicle(
                v + 1,
                start=0,
                end=0,
                capacity=[inst.capacity],
                time_window=vroom.TimeWindow(inst.ready[0], inst.due[0]),
            )
        )
    for c in range(1, len(inst.xy)):
        problem.add_job(
            vroom.Job(
                c,
                location=c,
                default_service=inst.service[c],
                delivery=[inst.demand[c]],
                time_windows=[vroom.TimeWindow(inst.ready[c], inst.due[c])],
            )
        )
    solution = problem.solve(
        exploration_level=5, nb_threads=1, timeout=dt.timedelta(seconds=seconds)
    )
    frame = solution.routes
    jobs = frame[frame["type"] == "job"]
    return [list(group["id"]) for _, group in jobs.groupby("vehicle_id", sort=True)]


ENGINES: dict[str, Callable[[Instance, float], list[list[int]]]] = {
    "planner": solve_planner,
    "pyvrp": solve_pyvrp,
    "ortools": solve_ortools,
    "vroom": solve_vroom,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--instances", nargs="*", default=None)
    parser.add_argument("--engines", nargs="*", default=list(ENGINES), choices=list(ENGINES))
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    names = args.instances or sorted(p.stem for p in args.data.glob("*.txt"))
    gaps: dict[str, list[float]] = {e: [] for e in args.engines}
    failed: dict[str, int] = dict.fromkeys(args.engines, 0)
    print(f"Solomon, {args.seconds:g} s per instance and engine, gap % to best-known (DIMACS)")
    print(f"{'instance':<9}{'best':>9}" + "".join(f"{e:>10}" for e in args.engines))
    for name in names:
        inst = read_instance(args.data / f"{name}.txt")
        cells = []
        for engine in args.engines:
            cost = check_routes(inst, ENGINES[engine](inst, args.seconds))
            if cost is None:
                failed[engine] += 1
                cells.append(f"{'infeas.':>10}")
                continue
            gap = 100 * (cost - inst.best_known) / inst.best_known
            gaps[engine].append(gap)
            cells.append(f"{gap:>+9.2f}%")
        print(f"{name:<9}{inst.best_known:>9.1f}" + "".join(cells), flush=True)
    print(f"{'mean':<18}" + "".join(_fmt(statistics.fmean, gaps[e]) for e in args.engines))
    print(f"{'worst':<18}" + "".join(_fmt(max, gaps[e]) for e in args.engines))
    print(f"{'no answer':<18}" + "".join(f"{failed[e]:>10}" for e in args.engines))
    if "pyvrp" in gaps and "planner" in gaps and gaps["pyvrp"] and gaps["planner"]:
        print(
            "mean gap, planner minus PyVRP alone (points): "
            f"{statistics.fmean(gaps['planner']) - statistics.fmean(gaps['pyvrp']):+.2f}"
        )


def _fmt(func: Callable[[list[float]], float], values: list[float]) -> str:
    return f"{func(values):>+9.2f}%" if values else f"{'-':>10}"


if __name__ == "__main__":
    main()
