"""The planner: triage, PyVRP search, then our own timing, repair and re-insertion.

``plan`` never returns a plan that breaks a hard constraint as ``timing.time_route`` models it:
whatever the solver proposes is re-timed with breaks and the true cold-chain clock, stops that
cannot be kept are taken out, and every stop left out is offered to every route again before it
is reported unassigned with its reason.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from finalmile.routing.matrix import TravelMatrix
from finalmile.routing.plan import (
    Plan,
    Route,
    ScheduledBreak,
    Unassigned,
    UnassignedReason,
    Visit,
)
from finalmile.routing.problem import RoutingProblem, eligible, stop_penalty
from finalmile.routing.timing import (
    Clock,
    DriverSec,
    Infeasible,
    StopSec,
    TimedRoute,
    day_clock,
    driver_sec,
    stop_sec,
    time_route,
)

if TYPE_CHECKING:
    import pyvrp
    from pyvrp.stop import StoppingCriterion

    from finalmile.routing.encode import Encoded

REINSERT_SHARE = 0.2
"""Re-inserting left-out stops may take this share of the budget after the search (at least
1 s): enough for the few a normal day needs, bounded on an overloaded day that drops many."""


@dataclass(frozen=True, slots=True)
class Budget:
    """How long to plan: wall-clock seconds, or a fixed iteration count (deterministic tests).

    Triage, encoding, PyVRP's set-up and the search count against ``seconds``; re-inserting
    left-out stops may take up to 20% more (at least 1 s).
    """

    seconds: float = 10.0
    iterations: int | None = None
    seed: int = 1


@dataclass(frozen=True, slots=True)
class _Until:
    """Stop the search at a monotonic-clock deadline. PyVRP's ``MaxRuntime`` starts its clock
    only after PyVRP's own set-up, which takes seconds on an 800-stop day."""

    deadline: float

    def __call__(self, best_cost: float) -> bool:
        return time.monotonic() >= self.deadline


@dataclass(slots=True)
class _Day:
    problem: RoutingProblem
    matrix: TravelMatrix
    stops: list[StopSec]
    drivers: list[DriverSec]

    def timed(self, driver: int, order: list[int]) -> TimedRoute | Infeasible:
        return time_route(
            self.drivers[driver],
            [self.stops[i] for i in order],
            self.matrix.duration_s,
            self.matrix.distance_m,
        )

    def may_carry(self, driver: int, stop: int) -> bool:
        return eligible(self.problem.stops[stop], self.problem.drivers[driver])


def plan(problem: RoutingProblem, matrix: TravelMatrix, budget: Budget | None = None) -> Plan:
    """The day's routes for ``problem`` priced with ``matrix`` (points as ``problem.points()``)."""
    budget = budget or Budget()
    began = time.monotonic()
    clock = day_clock(problem)
    day = _Day(
        problem,
        matrix,
        [stop_sec(problem, clock, i) for i in range(len(problem.stops))],
        [driver_sec(problem, clock, i) for i in range(len(problem.drivers))],
    )
    reasons = _triage(day)
    candidates = [s for s in day.stops if s.index not in reasons]
    orders: dict[int, list[int]] = {d: [] for d in range(len(problem.drivers))}
    if candidates:
        # Deferred: PyVRP loads with the first plan, not in every process that only reads plans.
        import pyvrp  # noqa: PLC0415
        from pyvrp.stop import MaxIterations  # noqa: PLC0415

        from finalmile.routing.encode import encode  # noqa: PLC0415

        encoded = encode(problem, matrix, candidates, day.drivers)
        criterion: StoppingCriterion = (
            MaxIterations(budget.iterations)
            if budget.iterations is not None
            else _Until(max(began + budget.seconds, time.monotonic() + 0.05))
        )
        result = pyvrp.solve(
            encoded.data, stop=criterion, seed=budget.seed, collect_stats=False, display=False
        )
        orders.update(_decode(encoded, result.best))
    retry = _repair(day, orders)
    served = {i for order in orders.values() for i in order}
    left_out = {s.index for s in candidates if s.index not in served} - retry
    # Deferrable stops the solver left out were its choice; must-go ones get another chance.
    retry |= {i for i in left_out if problem.stops[i].deferral_penalty is None}
    grace = max(1.0, REINSERT_SHARE * budget.seconds)
    _reinsert(day, orders, retry, deadline=time.monotonic() + grace)
    for index in (retry | left_out) - {i for order in orders.values() for i in order}:
        stop = problem.stops[index]
        deferrable = stop.deferral_penalty is not None
        reasons[index] = UnassignedReason.DEFERRED if deferrable else UnassignedReason.NO_ROOM
    return _build_plan(day, clock, orders, reasons)


def _triage(day: _Day) -> dict[int, UnassignedReason]:
    """Stops no driver could serve even alone, and why."""
    reasons: dict[int, UnassignedReason] = {}
    for stop in day.stops:
        able = [d for d in range(len(day.drivers)) if day.may_carry(d, stop.index)]
        if not able:
            reasons[stop.index] = UnassignedReason.NO_ELIGIBLE_DRIVER
        elif not any(isinstance(day.timed(d, [stop.index]), TimedRoute) for d in able):
            reasons[stop.index] = UnassignedReason.UNREACHABLE
    return reasons


def _decode(encoded: Encoded, solution: pyvrp.Solution) -> dict[int, list[int]]:
    orders: dict[int, list[int]] = {}
    spare = [list(members) for members in encoded.fleets]
    for route in solution.routes():
        driver = spare[route.vehicle_type()].pop(0)
        orders[driver] = [encoded.copies[a.idx].stop for a in route if a.is_client()]
    return orders


def _repair(day: _Day, orders: dict[int, list[int]]) -> set[int]:
    """Take out stops until every route times feasibly; returns the stops taken out.

    Of the stops up to the first one that fails, the cheapest to leave out goes (the failing
    stop itself on a tie), so priority and must-go stops are the last to be dropped.
    """
    removed: set[int] = set()
    for driver, order in orders.items():
        for stop in [s for s in order if not day.may_carry(driver, s)]:
            order.remove(stop)
            removed.add(stop)
        while order and isinstance(verdict := day.timed(driver, order), Infeasible):
            blame = min(
                range(verdict.position + 1),
                key=lambda k: (stop_penalty(day.problem.stops[order[k]]), -k),
            )
            removed.add(order.pop(blame))
    return removed


def _reinsert(
    day: _Day, orders: dict[int, list[int]], dropped: set[int], *, deadline: float
) -> None:
    """Offer each left-out stop (priority first) the cheapest feasible place, if worth it,
    until ``deadline`` (monotonic clock); the stops placed leave ``dropped``."""
    lengths = {d: _length(day, d, order) for d, order in orders.items()}
    ranked = sorted(dropped, key=lambda i: -stop_penalty(day.problem.stops[i]))
    for stop in ranked:
        if time.monotonic() > deadline:
            break
        best: tuple[int, int, int, int] | None = None
        for driver, order in orders.items():
            if not day.may_carry(driver, stop):
                continue
            for position in range(len(order) + 1):
                verdict = day.timed(driver, [*order[:position], stop, *order[position:]])
                if isinstance(verdict, TimedRoute):
                    delta = verdict.distance - lengths[driver]
                    if best is None or delta < best[0]:
                        best = (delta, driver, position, verdict.distance)
        if best is not None and best[0] < stop_penalty(day.problem.stops[stop]):
            _, driver, position, length = best
            orders[driver].insert(position, stop)
            lengths[driver] = length
            dropped.discard(stop)


def _length(day: _Day, driver: int, order: list[int]) -> int:
    verdict = day.timed(driver, order)
    return verdict.distance if isinstance(verdict, TimedRoute) else 0


def _build_plan(
    day: _Day, clock: Clock, orders: dict[int, list[int]], reasons: dict[int, UnassignedReason]
) -> Plan:
    routes: list[Route] = []
    for driver, order in sorted(orders.items()):
        if not order:
            continue
        timed = day.timed(driver, order)
        if not isinstance(timed, TimedRoute):  # repair leaves only feasible routes
            raise AssertionError("repaired route does not time")
        ids = [day.problem.stops[i].stop_id for i in order]
        routes.append(
            Route(
                driver_id=day.problem.drivers[driver].driver_id,
                departure=clock.at(timed.departure),
                visits=tuple(
                    Visit(stop_id, clock.at(a), clock.at(s), clock.at(e))
                    for stop_id, (a, s, e) in zip(ids, timed.visits, strict=True)
                ),
                breaks=tuple(
                    ScheduledBreak(after, clock.at(s), clock.at(e)) for after, s, e in timed.breaks
                ),
                return_time=clock.at(timed.return_time),
                distance_m=timed.distance,
            )
        )
    unassigned = tuple(
        Unassigned(day.problem.stops[i].stop_id, reason) for i, reason in sorted(reasons.items())
    )
    penalty = sum(stop_penalty(day.problem.stops[i]) for i in reasons)
    return Plan(tuple(routes), unassigned, sum(r.distance_m for r in routes) + penalty)
