"""An independent plan checker: every hard constraint, re-derived from the problem and the matrix.

It trusts nothing the solver says. Times in the plan are checked against travel times from the
matrix (a driver cannot arrive sooner than the road allows), and the cost is recomputed from the
matrix and the deferral penalties.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

from finalmile.routing.matrix import TravelMatrix
from finalmile.routing.plan import Plan, Route, UnassignedReason, Visit
from finalmile.routing.problem import Driver, RoutingProblem, Stop, eligible, stop_penalty


class ViolationKind(StrEnum):
    """The hard constraint a plan breaks."""

    UNKNOWN_STOP = "unknown_stop"
    UNKNOWN_DRIVER = "unknown_driver"
    DUPLICATE_STOP = "duplicate_stop"
    MISSING_STOP = "missing_stop"
    DRIVER_TWICE = "driver_twice"
    SHIFT = "shift"
    TRAVEL_TIME = "travel_time"
    WINDOW = "window"
    BREAK = "break"
    SKILL = "skill"
    CAPACITY = "capacity"
    COOLER_CAPACITY = "cooler_capacity"
    ORIGIN_SITE = "origin_site"
    COLD_CHAIN = "cold_chain"
    FALSE_REASON = "false_reason"


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken constraint, located by driver and stop ids (never patient data)."""

    kind: ViolationKind
    driver_id: str | None
    stop_id: str | None
    detail: str


@dataclass(frozen=True, slots=True)
class CheckReport:
    """The checker's verdict and its own cost figures."""

    violations: tuple[Violation, ...]
    distance_m: int
    penalty: int
    missed_required: int

    @property
    def feasible(self) -> bool:
        """No hard constraint is broken."""
        return not self.violations

    @property
    def cost(self) -> int:
        """Driving metres plus the penalties of the stops left out."""
        return self.distance_m + self.penalty


def check_plan(problem: RoutingProblem, plan: Plan, matrix: TravelMatrix) -> CheckReport:
    """Verify ``plan`` against every hard constraint of ``problem``."""
    out: list[Violation] = []
    stops = {s.stop_id: i for i, s in enumerate(problem.stops)}
    drivers = {d.driver_id: d for d in problem.drivers}
    seen: Counter[str] = Counter()
    distance = 0
    for route in plan.routes:
        driver = drivers.get(route.driver_id)
        if driver is None:
            out.append(Violation(ViolationKind.UNKNOWN_DRIVER, route.driver_id, None, "no such"))
            continue
        known = [v.stop_id for v in route.visits if v.stop_id in stops]
        for visit in route.visits:
            if visit.stop_id not in stops:
                out.append(
                    Violation(ViolationKind.UNKNOWN_STOP, driver.driver_id, visit.stop_id, "")
                )
        seen.update(known)
        distance += _route_distance(problem, matrix, driver, [stops[k] for k in known])
        out.extend(_check_route(problem, matrix, driver, route, stops))
    for driver_id, count in Counter(r.driver_id for r in plan.routes).items():
        if count > 1:
            out.append(Violation(ViolationKind.DRIVER_TWICE, driver_id, None, f"{count} routes"))
    penalty = missed_required = 0
    for item in plan.unassigned:
        if item.stop_id not in stops:
            out.append(Violation(ViolationKind.UNKNOWN_STOP, None, item.stop_id, "unassigned"))
            continue
        seen[item.stop_id] += 1
        stop = problem.stops[stops[item.stop_id]]
        penalty += stop_penalty(stop)
        missed_required += stop.deferral_penalty is None
        if item.reason is UnassignedReason.NO_ELIGIBLE_DRIVER and any(
            eligible(stop, d) for d in problem.drivers
        ):
            out.append(Violation(ViolationKind.FALSE_REASON, None, item.stop_id, item.reason))
    for stop in problem.stops:
        if seen[stop.stop_id] == 0:
            out.append(Violation(ViolationKind.MISSING_STOP, None, stop.stop_id, "not accounted"))
        elif seen[stop.stop_id] > 1:
            out.append(
                Violation(
                    ViolationKind.DUPLICATE_STOP, None, stop.stop_id, f"{seen[stop.stop_id]}x"
                )
            )
    return CheckReport(tuple(out), distance, penalty, missed_required)


def _route_distance(
    problem: RoutingProblem, matrix: TravelMatrix, driver: Driver, order: list[int]
) -> int:
    path = [
        problem.site_index[driver.start_site],
        *(problem.stop_point(i) for i in order),
        problem.site_index[driver.end_site],
    ]
    return sum(int(matrix.distance_m[a, b]) for a, b in itertools.pairwise(path))


def _check_route(
    problem: RoutingProblem,
    matrix: TravelMatrix,
    driver: Driver,
    route: Route,
    stops: dict[str, int],
) -> list[Violation]:
    out: list[Violation] = []
    who = driver.driver_id

    def bad(kind: ViolationKind, stop_id: str | None, detail: str) -> None:
        out.append(Violation(kind, who, stop_id, detail))

    if route.departure < driver.shift_start:
        bad(ViolationKind.SHIFT, None, "leaves before the shift starts")
    if route.return_time > driver.shift_end:
        bad(ViolationKind.SHIFT, None, "returns after the shift ends")
    visits = [v for v in route.visits if v.stop_id in stops]
    load = sum(problem.stops[stops[v.stop_id]].packages for v in visits)
    cold = sum(problem.stops[stops[v.stop_id]].cold_packages for v in visits)
    if load > driver.capacity:
        bad(ViolationKind.CAPACITY, None, f"{load} packages > {driver.capacity}")
    if cold > driver.cooler_capacity:
        bad(ViolationKind.COOLER_CAPACITY, None, f"{cold} cold packages > {driver.cooler_capacity}")
    out.extend(_check_breaks(driver, route))
    breaks_on: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
    for pause in route.breaks:
        breaks_on.setdefault(pause.after_visits, []).append((pause.start, pause.end))
    here = problem.site_index[driver.start_site]
    free_at = route.departure
    for position in range(len(visits) + 1):
        if position < len(visits):
            index = stops[visits[position].stop_id]
            there, leg_end = problem.stop_point(index), visits[position].arrival
        else:
            there, leg_end = problem.site_index[driver.end_site], route.return_time
        # A leg is the drive to the next stop (or home) plus any breaks taken on the way.
        needed = dt.timedelta(seconds=int(matrix.duration_s[here, there]))
        busy_until = free_at
        for start, end in sorted(breaks_on.get(position, [])):
            if start < busy_until or end > leg_end:
                bad(ViolationKind.BREAK, None, f"break on leg {position} overlaps work")
            busy_until = max(busy_until, end)
            needed += end - start
        if leg_end < free_at + needed:
            where = visits[position].stop_id if position < len(visits) else None
            bad(ViolationKind.TRAVEL_TIME, where, "arrives sooner than the road allows")
        if position == len(visits):
            break
        visit = visits[position]
        left = route.departure if driver.departed is None else driver.departed
        out.extend(_check_visit(problem.stops[index], visit, driver, left))
        free_at, here = visit.departure, there
    return out


def _check_visit(stop: Stop, visit: Visit, driver: Driver, left: dt.datetime) -> list[Violation]:
    out: list[Violation] = []
    sid = stop.stop_id

    def bad(kind: ViolationKind, detail: str) -> None:
        out.append(Violation(kind, driver.driver_id, sid, detail))

    if visit.service_start < visit.arrival:
        bad(ViolationKind.TRAVEL_TIME, "service starts before arrival")
    if visit.departure < visit.service_start + stop.service:
        bad(ViolationKind.TRAVEL_TIME, "leaves before the service time is over")
    if not any(w.start <= visit.service_start <= w.end for w in stop.windows):
        bad(ViolationKind.WINDOW, "service starts outside every window")
    if not stop.skills <= driver.skills:
        bad(ViolationKind.SKILL, "driver lacks a required skill")
    if stop.origin_site not in (None, driver.start_site):
        bad(ViolationKind.ORIGIN_SITE, "package is at another site")
    limit = stop.cold_chain_limit
    if limit is not None and visit.service_start - left > limit:
        bad(ViolationKind.COLD_CHAIN, "handed over after the cold-chain limit")
    return out


def _check_breaks(driver: Driver, route: Route) -> list[Violation]:
    out: list[Violation] = []
    taken = sorted(route.breaks, key=lambda b: b.start)
    if len(taken) > len(driver.breaks):
        out.append(Violation(ViolationKind.BREAK, driver.driver_id, None, "more breaks than due"))
    for index, due in enumerate(driver.breaks):
        if index >= len(taken):
            if route.return_time > due.latest:
                out.append(Violation(ViolationKind.BREAK, driver.driver_id, None, "break missing"))
            continue
        pause = taken[index]
        if not due.earliest <= pause.start <= due.latest:
            out.append(Violation(ViolationKind.BREAK, driver.driver_id, None, "outside its window"))
        if pause.end - pause.start < due.duration:
            out.append(Violation(ViolationKind.BREAK, driver.driver_id, None, "too short"))
    return out
