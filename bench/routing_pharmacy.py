"""Pharmacy courier days: finalmile's planner against OR-Tools modelling the same constraints.

Usage: .venv/bin/python bench/routing_pharmacy.py [--seconds 10] [--days 300x15 500x25 800x40]
       [--seed 7]

Each day is generated from the seed: synthetic stops around two or three pharmacy sites (ZIP-less
points, haversine travel with the default road factor and speed profile), one or two patient
windows per stop, refrigerated stops needing a cooler and a 4-hour cold-chain limit, lockbox stops,
priority and deferrable stops, drivers on 08:00 and 11:00 shifts with a 30-minute break, several
sites, capacities and cooler capacities.

OR-Tools gets the same constraints exactly: windows (gaps between a stop's windows removed from
its time domain), skills and origin site (allowed vehicles), two load dimensions, break intervals
with node service times, and the cold-chain limit through a second time dimension whose slack is
tied to the time dimension's slack and whose start is zero (so its cumul is the time since the
route left the pharmacy). Dropping a stop costs its penalty in both. Search: guided local search
from SEQUENTIAL_CHEAPEST_INSERTION (``--ortools-first``; the other insertion strategies and
PATH_CHEAPEST_ARC returned the empty plan for 500 stops within 10 s), single thread, same budget.

Every plan is judged by finalmile's own checker (``check_plan``); the cost printed is the
checker's: driving metres plus the penalties of the stops left out.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import random
import time
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from finalmile.routing import (
    Budget,
    CheckReport,
    Driver,
    DriverBreak,
    GeoPoint,
    HaversineProvider,
    Plan,
    Route,
    RoutingProblem,
    ScheduledBreak,
    Site,
    Skill,
    Stop,
    TimeWindow,
    TravelMatrix,
    Unassigned,
    UnassignedReason,
    Visit,
    check_plan,
    plan,
)
from finalmile.routing.problem import eligible, stop_penalty

TZ = ZoneInfo("America/New_York")
DAY = dt.date(2026, 11, 24)
COLD_CHAIN = dt.timedelta(hours=4)
SITES = (
    Site("cambridge", GeoPoint(42.3736, -71.1097)),
    Site("quincy", GeoPoint(42.2529, -71.0023)),
    Site("waltham", GeoPoint(42.3765, -71.2356)),
)


def at(hour: float) -> dt.datetime:
    """A local time on the benchmark day (hour may be fractional)."""
    return dt.datetime.combine(DAY, dt.time(0), tzinfo=TZ) + dt.timedelta(hours=hour)


def generate_day(stops: int, drivers: int, seed: int) -> RoutingProblem:
    """A seeded synthetic pharmacy day (synthetic points only, no patient data)."""
    rng = random.Random(seed)
    sites = SITES[: 2 if drivers < 25 else 3]
    out_stops = []
    for n in range(stops):
        site = rng.choice(sites)
        location = GeoPoint(
            site.location.lat + rng.gauss(0, 0.05), site.location.lon + rng.gauss(0, 0.065)
        )
        cold = rng.random() < 0.35
        start = rng.choice([8.5, 9.0, 10.0, 11.0]) if cold else rng.choice([8.5, 10.0, 12.0, 14.0])
        windows = [TimeWindow(at(start), at(start + rng.choice([2.0, 3.0, 4.0])))]
        if not cold and rng.random() < 0.2:
            windows.append(TimeWindow(at(16.0), at(18.5)))
        packages = rng.choice([1, 1, 1, 2, 3])
        skills = {Skill.COOLER} if cold else set()
        if rng.random() < 0.06:
            skills.add(Skill.LOCKBOX)
        out_stops.append(
            Stop(
                stop_id=f"S{n:04d}",
                location=location,
                windows=tuple(windows),
                service=dt.timedelta(minutes=rng.choice([3, 5, 5, 8, 15])),
                packages=packages,
                cold_packages=packages if cold else 0,
                skills=frozenset(skills),
                cold_chain_limit=COLD_CHAIN if cold else None,
                origin_site=site.site_id,
                priority=rng.random() < 0.1,
                deferral_penalty=20_000 if rng.random() < 0.15 else None,
            )
        )
    out_drivers = []
    for n in range(drivers):
        site = sites[n % len(sites)]
        start = 11.0 if (n // len(sites)) % 3 == 2 else 8.0
        skills = {Skill.COOLER} if n % 5 != 4 else set()
        if n % 4 in (0, 1):
            skills.add(Skill.LOCKBOX)
        out_drivers.append(
            Driver(
                driver_id=f"D{n:02d}",
                shift_start=at(start),
                shift_end=at(start + 8.5),
                start_site=site.site_id,
                end_site=site.site_id,
                capacity=rng.choice([40, 50]),
                cooler_capacity=rng.choice([20, 30]) if Skill.COOLER in skills else 0,
                skills=frozenset(skills),
                breaks=(DriverBreak(at(start + 3.5), at(start + 5.0), dt.timedelta(minutes=30)),),
            )
        )
    return RoutingProblem(tuple(sites), tuple(out_stops), tuple(out_drivers))


@dataclass(frozen=True)
class Outcome:
    """One engine's plan on one day, as the checker sees it."""

    report: CheckReport
    unassigned: int
    routes: int
    seconds: float


@dataclass
class OrToolsModel:
    """The OR-Tools model of one day and what is needed to read its answer back."""

    problem: RoutingProblem
    matrix: TravelMatrix
    epoch: dt.datetime
    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    service: list[int]

    def sec(self, moment: dt.datetime) -> int:
        return int((moment - self.epoch).total_seconds())

    def at(self, value: int) -> dt.datetime:
        return self.epoch + dt.timedelta(seconds=value)


def build_ortools(problem: RoutingProblem, matrix: TravelMatrix) -> OrToolsModel:
    """The same day as an OR-Tools routing model (see the module docstring)."""
    n_sites = len(problem.sites)
    manager = pywrapcp.RoutingIndexManager(
        len(problem.points()),
        len(problem.drivers),
        [problem.site_index[d.start_site] for d in problem.drivers],
        [problem.site_index[d.end_site] for d in problem.drivers],
    )
    model = OrToolsModel(
        problem,
        matrix,
        min(d.shift_start for d in problem.drivers),
        manager,
        pywrapcp.RoutingModel(manager),
        [0] * n_sites + [int(s.service.total_seconds()) for s in problem.stops],
    )
    routing = model.routing
    dist, dur = matrix.distance_m.tolist(), matrix.duration_s.tolist()

    def distance(i: int, j: int) -> int:
        return dist[manager.IndexToNode(i)][manager.IndexToNode(j)]

    def transit(i: int, j: int) -> int:
        a = manager.IndexToNode(i)
        return model.service[a] + dur[a][manager.IndexToNode(j)]

    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitCallback(distance))
    for load in ("packages", "cold_packages"):
        amounts = [0] * n_sites + [getattr(s, load) for s in problem.stops]
        callback = routing.RegisterUnaryTransitCallback(
            lambda i, a=amounts: a[manager.IndexToNode(i)]
        )
        capacities = [
            d.capacity if load == "packages" else d.cooler_capacity for d in problem.drivers
        ]
        routing.AddDimensionWithVehicleCapacity(callback, 0, capacities, True, load)
    horizon = model.sec(max(d.shift_end for d in problem.drivers))
    transit_index = routing.RegisterTransitCallback(transit)
    routing.AddDimension(transit_index, horizon, horizon, False, "Time")
    routing.AddDimension(transit_index, horizon, horizon, True, "Elapsed")
    _add_stops(model)
    _add_drivers(model)
    return model


def _add_stops(model: OrToolsModel) -> None:
    routing, n_sites = model.routing, len(model.problem.sites)
    time_dim = routing.GetDimensionOrDie("Time")
    elapsed = routing.GetDimensionOrDie("Elapsed")
    for i, stop in enumerate(model.problem.stops):
        index = model.manager.NodeToIndex(n_sites + i)
        windows = sorted((model.sec(w.start), model.sec(w.end)) for w in stop.windows)
        cumul = time_dim.CumulVar(index)
        cumul.SetRange(max(windows[0][0], 0), windows[-1][1])
        for (_, gap_start), (gap_end, _) in itertools.pairwise(windows):
            if gap_end > gap_start + 1:
                cumul.RemoveInterval(gap_start + 1, gap_end - 1)
        if stop.cold_chain_limit is not None:
            elapsed.CumulVar(index).SetMax(int(stop.cold_chain_limit.total_seconds()))
        allowed = [v for v, d in enumerate(model.problem.drivers) if eligible(stop, d)]
        routing.VehicleVar(index).SetValues([-1, *allowed])
        routing.AddDisjunction([index], stop_penalty(stop))
    solver = routing.solver()
    for index in range(routing.Size()):
        # Waiting and breaks live in the slack: equal slacks make Elapsed = time since departure.
        solver.Add(elapsed.SlackVar(index) == time_dim.SlackVar(index))


def _add_drivers(model: OrToolsModel) -> None:
    routing = model.routing
    solver, time_dim = routing.solver(), routing.GetDimensionOrDie("Time")
    visit_transit = [model.service[model.manager.IndexToNode(i)] for i in range(routing.Size())]
    for v, driver in enumerate(model.problem.drivers):
        shift = (model.sec(driver.shift_start), model.sec(driver.shift_end))
        start_var = time_dim.CumulVar(routing.Start(v))
        start_var.SetRange(*shift)
        time_dim.CumulVar(routing.End(v)).SetRange(*shift)
        intervals = []
        for b, pause in enumerate(driver.breaks):
            interval = solver.FixedDurationIntervalVar(
                model.sec(pause.earliest),
                model.sec(pause.latest),
                int(pause.duration.total_seconds()),
                False,
                f"break {v} {b}",
            )
            solver.Add(interval.StartExpr() >= start_var)
            intervals.append(interval)
        time_dim.SetBreakIntervalsOfVehicle(intervals, v, visit_transit)
        routing.AddVariableMinimizedByFinalizer(start_var)


def solve_ortools(
    problem: RoutingProblem, matrix: TravelMatrix, seconds: float, first: str
) -> Plan | None:
    """Build, search (GLS from the ``first`` solution strategy) and read back as a ``Plan``."""
    model = build_ortools(problem, matrix)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, first)
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(int(seconds * 1000))
    solution = model.routing.SolveWithParameters(params)
    return None if solution is None else read_ortools(model, solution)


def read_ortools(model: OrToolsModel, solution: pywrapcp.Assignment) -> Plan:
    """OR-Tools' routes, its service starts and its break intervals as a ``Plan``."""
    routing, problem, n_sites = model.routing, model.problem, len(model.problem.sites)
    time_dim = routing.GetDimensionOrDie("Time")
    breaks_of: dict[int, list[tuple[int, int]]] = {}
    container = solution.IntervalVarContainer()
    for k in range(container.Size()):
        element = container.Element(k)
        if element.PerformedValue():
            vehicle = int(element.Var().Name().split()[1])
            start = element.StartValue()
            breaks_of.setdefault(vehicle, []).append((start, start + element.DurationValue()))
    routes, served = [], set()
    for v, driver in enumerate(problem.drivers):
        index = solution.Value(routing.NextVar(routing.Start(v)))
        if routing.IsEnd(index):
            continue
        nodes, starts = [], []
        while not routing.IsEnd(index):
            nodes.append(model.manager.IndexToNode(index))
            starts.append(solution.Min(time_dim.CumulVar(index)))
            index = solution.Value(routing.NextVar(index))
        departure = solution.Min(time_dim.CumulVar(routing.Start(v)))
        back = solution.Min(time_dim.CumulVar(index))
        ids = [problem.stops[n - n_sites].stop_id for n in nodes]
        served.update(ids)
        ends = [s + model.service[n] for s, n in zip(starts, nodes, strict=True)]
        visits = tuple(
            Visit(i, model.at(s), model.at(s), model.at(e))
            for i, s, e in zip(ids, starts, ends, strict=True)
        )
        legs = list(zip([departure, *ends], [*starts, back], strict=True))
        breaks = tuple(
            ScheduledBreak(leg, model.at(b0), model.at(b1))
            for b0, b1 in breaks_of.get(v, [])
            for leg, (a, z) in enumerate(legs)
            if a <= b0 and b1 <= z
        )
        path = [problem.site_index[driver.start_site], *nodes, problem.site_index[driver.end_site]]
        metres = sum(int(model.matrix.distance_m[a, b]) for a, b in itertools.pairwise(path))
        routes.append(
            Route(driver.driver_id, model.at(departure), visits, breaks, model.at(back), metres)
        )
    left_out = [s for s in problem.stops if s.stop_id not in served]
    return Plan(
        tuple(routes),
        tuple(Unassigned(s.stop_id, UnassignedReason.NO_ROOM) for s in left_out),
        sum(r.distance_m for r in routes) + sum(stop_penalty(s) for s in left_out),
    )


def run(
    problem: RoutingProblem, matrix: TravelMatrix, engine: str, seconds: float, first: str
) -> Outcome | None:
    """One engine on one day, judged by the checker (``first``: OR-Tools' first strategy)."""
    began = time.monotonic()
    if engine == "planner":
        result: Plan | None = plan(problem, matrix, Budget(seconds=seconds))
    else:
        result = solve_ortools(problem, matrix, seconds, first)
    took = time.monotonic() - began
    if result is None:
        return None
    report = check_plan(problem, result, matrix)
    return Outcome(report, len(result.unassigned), len(result.routes), took)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--days", nargs="*", default=["300x15", "500x25", "800x40"])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--ortools-first",
        default="SEQUENTIAL_CHEAPEST_INSERTION",
        help="OR-Tools first-solution strategy (LOCAL_CHEAPEST_INSERTION, PATH_CHEAPEST_ARC and "
        "PARALLEL_CHEAPEST_INSERTION found no plan for 500 stops within 10 s here)",
    )
    args = parser.parse_args()
    print(
        f"Pharmacy days, {args.seconds:g} s per engine, seed {args.seed}, OR-Tools from "
        f"{args.ortools_first}; cost = metres + penalties (checker's)"
    )
    print(
        f"{'day':<8}{'engine':<9}{'feasible':>9}{'cost':>12}{'km':>9}{'left out':>9}"
        f"{'must-go':>8}{'routes':>7}{'secs':>6}"
    )
    for spec in args.days:
        stops, drivers = (int(x) for x in spec.split("x"))
        problem = generate_day(stops, drivers, args.seed)
        matrix = HaversineProvider().matrix(problem.points())
        costs = {}
        for engine in ("planner", "ortools"):
            outcome = run(problem, matrix, engine, args.seconds, args.ortools_first)
            if outcome is None:
                print(f"{spec:<8}{engine:<9}{'no plan':>9}")
                continue
            r = outcome.report
            costs[engine] = r.cost
            print(
                f"{spec:<8}{engine:<9}{'yes' if r.feasible else 'NO':>9}{r.cost:>12,}"
                f"{r.distance_m / 1000:>9.1f}{outcome.unassigned:>9}{r.missed_required:>8}"
                f"{outcome.routes:>7}{outcome.seconds:>6.1f}",
                flush=True,
            )
            if not r.feasible:
                kinds = sorted({v.kind.value for v in r.violations})
                print(f"{'':<17}violations: {len(r.violations)} ({', '.join(kinds)})")
        if len(costs) == 2:
            print(
                f"{spec:<8}planner / ortools cost = {costs['planner'] / costs['ortools']:.3f}"
                f" ({100 * (1 - costs['planner'] / costs['ortools']):+.1f}% lower)"
            )


if __name__ == "__main__":
    main()
