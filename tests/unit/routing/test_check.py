"""The checker accepts a hand-timed feasible plan and names each broken constraint in a bad one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from finalmile.routing import (
    Plan,
    Route,
    RoutingProblem,
    ScheduledBreak,
    Skill,
    TravelMatrix,
    Unassigned,
    UnassignedReason,
    ViolationKind,
    Visit,
    check_plan,
)
from finalmile.routing.problem import DriverBreak
from tests.unit.routing.line import at, day, driver, stop, window

COOLER = frozenset({Skill.COOLER})
DEFERRED = UnassignedReason.DEFERRED


def problem(
    *, limit: int = 30, a_window: str = "08:00", origin: str | None = None, **driver_fields: Any
) -> tuple[RoutingProblem, TravelMatrix]:
    """Stop a (5 km, 5 min service), cold stop c (10 km), far deferrable x; one cooler driver."""
    fields: dict[str, Any] = {
        "capacity": 2,
        "cooler_capacity": 1,
        "skills": COOLER,
        "breaks": (DriverBreak(at("08:15"), at("08:20"), dt.timedelta(minutes=10)),),
    }
    fields.update(driver_fields)
    return day(
        [
            stop(
                "a",
                5,
                window(a_window, "09:00"),
                service=dt.timedelta(minutes=5),
                origin_site=origin,
            ),
            stop(
                "c",
                10,
                cold_packages=1,
                skills=COOLER,
                cold_chain_limit=dt.timedelta(minutes=limit),
            ),
            stop("x", 90, deferral_penalty=100),
        ],
        [driver("d1", "08:00", "12:00", **fields)],
        sites={"A": 0, "B": 50},
    )


ROUTE = Route(
    driver_id="d1",
    departure=at("08:00"),
    visits=(
        Visit("a", at("08:05"), at("08:05"), at("08:10")),
        Visit("c", at("08:15"), at("08:15"), at("08:15")),
    ),
    breaks=(ScheduledBreak(2, at("08:15"), at("08:25")),),
    return_time=at("08:35"),
    distance_m=20_000,
)
PLAN = Plan((ROUTE,), (Unassigned("x", UnassignedReason.DEFERRED),), 20_100)


def test_the_hand_timed_plan_is_feasible_and_priced_independently() -> None:
    instance, matrix = problem()
    report = check_plan(instance, PLAN, matrix)
    assert report.violations == ()
    assert (report.distance_m, report.penalty, report.cost) == (20_000, 100, 20_100)
    assert report.missed_required == 0


def _visit(index: int, **changes: Any) -> Callable[[Plan], Plan]:
    def apply(plan: Plan) -> Plan:
        visits = list(plan.routes[0].visits)
        visits[index] = replace(visits[index], **changes)
        return replace(plan, routes=(replace(plan.routes[0], visits=tuple(visits)),))

    return apply


def _route(**changes: Any) -> Callable[[Plan], Plan]:
    return lambda plan: replace(plan, routes=(replace(plan.routes[0], **changes),))


def _unassigned(*items: Unassigned) -> Callable[[Plan], Plan]:
    return lambda plan: replace(plan, unassigned=items)


def _same(plan: Plan) -> Plan:
    return plan


CASES: list[tuple[str, dict[str, Any], Callable[[Plan], Plan], ViolationKind]] = [
    ("faster than the road", {}, _visit(0, arrival=at("08:04")), ViolationKind.TRAVEL_TIME),
    ("serves before arriving", {}, _visit(1, service_start=at("08:14")), ViolationKind.TRAVEL_TIME),
    ("cuts service short", {}, _visit(0, departure=at("08:09")), ViolationKind.TRAVEL_TIME),
    ("outside the window", {"a_window": "08:06"}, _same, ViolationKind.WINDOW),
    ("cold chain", {"limit": 14}, _same, ViolationKind.COLD_CHAIN),
    ("break missing", {}, _route(breaks=()), ViolationKind.BREAK),
    (
        "break late",
        {},
        _route(breaks=(ScheduledBreak(2, at("08:21"), at("08:31")),), return_time=at("08:41")),
        ViolationKind.BREAK,
    ),
    (
        "break too short",
        {},
        _route(breaks=(ScheduledBreak(2, at("08:15"), at("08:20")),)),
        ViolationKind.BREAK,
    ),
    (
        "break during service",
        {},
        _route(breaks=(ScheduledBreak(1, at("08:08"), at("08:18")),)),
        ViolationKind.BREAK,
    ),
    ("skill", {"skills": frozenset()}, _same, ViolationKind.SKILL),
    ("capacity", {"capacity": 1}, _same, ViolationKind.CAPACITY),
    ("cooler", {"cooler_capacity": 0}, _same, ViolationKind.COOLER_CAPACITY),
    ("origin site", {"origin": "B"}, _same, ViolationKind.ORIGIN_SITE),
    ("shift end", {"end": "08:30"}, _same, ViolationKind.SHIFT),
    ("early departure", {}, _route(departure=at("07:59")), ViolationKind.SHIFT),
    (
        "stop twice",
        {},
        _unassigned(Unassigned("x", DEFERRED), Unassigned("a", UnassignedReason.NO_ROOM)),
        ViolationKind.DUPLICATE_STOP,
    ),
    ("stop missing", {}, _unassigned(), ViolationKind.MISSING_STOP),
    (
        "unknown stop",
        {},
        _unassigned(Unassigned("x", DEFERRED), Unassigned("zz", UnassignedReason.NO_ROOM)),
        ViolationKind.UNKNOWN_STOP,
    ),
    (
        "false reason",
        {},
        _unassigned(Unassigned("x", UnassignedReason.NO_ELIGIBLE_DRIVER)),
        ViolationKind.FALSE_REASON,
    ),
    (
        "unknown driver",
        {},
        lambda p: replace(p, routes=(*p.routes, replace(ROUTE, driver_id="ghost", visits=()))),
        ViolationKind.UNKNOWN_DRIVER,
    ),
    (
        "driver twice",
        {},
        lambda p: replace(p, routes=(*p.routes, replace(ROUTE, visits=(), breaks=()))),
        ViolationKind.DRIVER_TWICE,
    ),
]


@pytest.mark.parametrize(
    ("changes", "mutate", "kind"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_broken_constraint_is_named(
    changes: dict[str, Any], mutate: Callable[[Plan], Plan], kind: ViolationKind
) -> None:
    end = changes.pop("end", None)
    instance, matrix = problem(**changes)
    if end is not None:
        driver_ = replace(instance.drivers[0], shift_end=at(end))
        instance = replace(instance, drivers=(driver_,))
    report = check_plan(instance, mutate(PLAN), matrix)
    assert not report.feasible
    assert kind in {v.kind for v in report.violations}


def test_a_break_taken_on_the_road_is_accepted() -> None:
    """Leave a at 08:10, drive, pause 08:15-08:25 on the way, reach c at 08:25 + the rest."""
    instance, matrix = problem()
    route = replace(
        ROUTE,
        visits=(ROUTE.visits[0], Visit("c", at("08:25"), at("08:25"), at("08:25"))),
        breaks=(ScheduledBreak(1, at("08:15"), at("08:25")),),
        return_time=at("08:35"),
    )
    assert check_plan(instance, replace(PLAN, routes=(route,)), matrix).violations == ()


def test_a_break_that_leaves_no_time_to_drive_is_refused() -> None:
    instance, matrix = problem()
    route = replace(
        ROUTE,
        visits=(ROUTE.visits[0], Visit("c", at("08:20"), at("08:20"), at("08:20"))),
        breaks=(ScheduledBreak(1, at("08:10"), at("08:20")),),
        return_time=at("08:30"),
    )
    kinds = {
        v.kind for v in check_plan(instance, replace(PLAN, routes=(route,)), matrix).violations
    }
    assert ViolationKind.TRAVEL_TIME in kinds
