"""The planner on hand-made days whose optimal answers are worked out in each test's docstring.

Every plan is judged by the independent checker, never by what the solver says about it.
"""

from __future__ import annotations

import datetime as dt

from finalmile.routing import (
    Budget,
    DriverBreak,
    Plan,
    RoutingProblem,
    Skill,
    TravelMatrix,
    UnassignedReason,
    check_plan,
    plan,
)
from tests.unit.routing.line import at, day, driver, stop, window

BUDGET = Budget(seconds=5, iterations=300, seed=7)
COOLER = frozenset({Skill.COOLER})


def solve(problem: RoutingProblem, matrix: TravelMatrix) -> Plan:
    result = plan(problem, matrix, BUDGET)
    report = check_plan(problem, result, matrix)
    assert report.violations == ()
    assert report.cost == result.objective
    return result


def routes_of(result: Plan) -> dict[str, list[str]]:
    return {r.driver_id: [v.stop_id for v in r.visits] for r in result.routes}


def reasons_of(result: Plan) -> dict[str, UnassignedReason]:
    return {u.stop_id: u.reason for u in result.unassigned}


def test_one_driver_drives_the_shortest_tour() -> None:
    """Stops at -3, 2 and 5 km from the depot: the best tour is 2 x 3 + 2 x 5 = 16 km."""
    result = solve(*day([stop("w", -3), stop("e1", 2), stop("e2", 5)], [driver("d1")]))
    assert result.objective == 16_000
    assert sorted(routes_of(result)["d1"]) == ["e1", "e2", "w"]


def test_windows_force_the_order() -> None:
    """East (5 km) must start by 08:06, so it goes first; west (-3 km) by 08:20 still fits."""
    problem, matrix = day(
        [stop("west", -3, window("08:00", "08:20")), stop("east", 5, window("08:00", "08:06"))],
        [driver("d1")],
    )
    result = solve(problem, matrix)
    assert routes_of(result) == {"d1": ["east", "west"]}
    assert result.objective == 16_000


def test_skills_send_the_cold_stop_to_the_cooler_driver() -> None:
    """Cooler driver at site B (4 km) takes the 5 km cold stop (2 km); A's driver the 1 km one."""
    cold = stop("cold", 5, packages=1, cold_packages=1, skills=COOLER | {Skill.LOCKBOX})
    problem, matrix = day(
        [cold, stop("plain", 1)],
        [
            driver("plain-driver"),
            driver(
                "cold-driver",
                start_site="B",
                end_site="B",
                cooler_capacity=2,
                skills=COOLER | {Skill.LOCKBOX},
            ),
        ],
        sites={"A": 0, "B": 4},
    )
    result = solve(problem, matrix)
    assert routes_of(result) == {"plain-driver": ["plain"], "cold-driver": ["cold"]}
    assert result.objective == 4_000


def test_capacity_splits_the_load() -> None:
    """Two drivers of capacity 2, stops at 1, 2, 3 km: {2, 3} and {1} cost 6 + 2 = 8 km."""
    problem, matrix = day(
        [stop("s1", 1), stop("s2", 2), stop("s3", 3)],
        [driver("d1", capacity=2), driver("d2", capacity=2)],
    )
    result = solve(problem, matrix)
    assert sorted(sorted(r) for r in routes_of(result).values()) == [["s1"], ["s2", "s3"]]
    assert result.objective == 8_000


def test_cold_chain_limit_splits_a_route_that_would_be_short_otherwise() -> None:
    """West (-5 km) must be served by 08:10; cold (10 km) within 18 min of leaving.

    One driver would reach cold at 08:20 after west (20 min in the cooler), and west late the
    other way round, so two drivers go: 10 + 20 = 30 km.
    """
    cold = stop("cold", 10, packages=1, cold_packages=1, cold_chain_limit=dt.timedelta(minutes=18))
    problem, matrix = day(
        [stop("west", -5, window("08:00", "08:10")), cold],
        [driver("d1", cooler_capacity=1), driver("d2", cooler_capacity=1)],
    )
    result = solve(problem, matrix)
    assert sorted(routes_of(result).values()) == [["cold"], ["west"]]
    assert result.objective == 30_000


def test_departure_waits_so_the_cooler_clock_starts_late() -> None:
    """Cold stop at 10 km open 10:00-10:30, limit 15 min: leave at 09:50, not at shift start."""
    cold = stop(
        "cold",
        10,
        window("10:00", "10:30"),
        packages=1,
        cold_packages=1,
        cold_chain_limit=dt.timedelta(minutes=15),
    )
    result = solve(*day([cold], [driver("d1", cooler_capacity=1)]))
    (route,) = result.routes
    assert route.departure == at("09:50")
    assert route.visits[0].service_start == at("10:00")


def test_each_shift_start_gets_its_own_cold_chain_deadline() -> None:
    """A 1-hour cold limit: the 08:00 driver serves the morning stop, the 12:00 driver the noon one.

    One driver cannot do both (the noon stop would be 4.5 h from its departure): 10 + 10 km.
    """
    limit = dt.timedelta(hours=1)
    morning = stop("morning", 5, window("08:00", "08:30"), cold_packages=1, cold_chain_limit=limit)
    noon = stop("noon", -5, window("12:30", "13:00"), cold_packages=1, cold_chain_limit=limit)
    problem, matrix = day(
        [morning, noon],
        [
            driver("early", "08:00", "18:00", cooler_capacity=2),
            driver("late", "12:00", "18:00", cooler_capacity=2),
        ],
    )
    result = solve(problem, matrix)
    assert routes_of(result) == {"early": ["morning"], "late": ["noon"]}
    assert result.objective == 20_000


def test_break_is_taken_inside_its_window() -> None:
    """A 30-minute break due 09:00-09:30 between two timed stops; the checker confirms it."""
    pause = DriverBreak(at("09:00"), at("09:30"), dt.timedelta(minutes=30))
    problem, matrix = day(
        [stop("a", 5, window("08:30", "08:40")), stop("b", 10, window("10:00", "10:20"))],
        [driver("d1", "08:00", "12:00", breaks=(pause,))],
    )
    result = solve(problem, matrix)
    (route,) = result.routes
    (taken,) = route.breaks
    assert at("09:00") <= taken.start <= at("09:30")
    assert taken.end - taken.start == dt.timedelta(minutes=30)
    assert result.objective == 20_000


def test_a_day_over_before_the_break_skips_it() -> None:
    pause = DriverBreak(at("12:00"), at("13:00"), dt.timedelta(minutes=30))
    result = solve(*day([stop("a", 5)], [driver("d1", breaks=(pause,))]))
    assert result.routes[0].breaks == ()


def test_second_window_is_used_when_the_first_cannot_be_reached() -> None:
    """08:00-08:01 is gone by the time the driver gets there (08:05): 13:00 it is."""
    problem, matrix = day(
        [stop("s", 5, window("08:00", "08:01"), window("13:00", "13:30"))], [driver("d1")]
    )
    result = solve(problem, matrix)
    assert result.routes[0].visits[0].service_start == at("13:00")


def test_a_far_deferrable_stop_is_deferred_when_cheaper() -> None:
    """A 100 km stop costs 200 km to serve; deferring it costs 50 km-equivalent."""
    problem, matrix = day(
        [stop("near", 1), stop("far", 100, deferral_penalty=50_000)], [driver("d1")]
    )
    result = solve(problem, matrix)
    assert reasons_of(result) == {"far": UnassignedReason.DEFERRED}
    assert result.objective == 2_000 + 50_000


def test_impossible_stops_are_reported_with_their_reason() -> None:
    problem, matrix = day(
        [
            stop("too-early", 5, window("08:00", "08:02")),
            stop("lockbox", 1, skills=frozenset({Skill.LOCKBOX})),
            stop("ok", 2),
        ],
        [driver("d1")],
    )
    result = solve(problem, matrix)
    assert reasons_of(result) == {
        "too-early": UnassignedReason.UNREACHABLE,
        "lockbox": UnassignedReason.NO_ELIGIBLE_DRIVER,
    }
    assert routes_of(result) == {"d1": ["ok"]}


def test_priority_stop_wins_the_last_seat() -> None:
    """Room for one package: the priority stop goes although the other is much nearer."""
    problem, matrix = day(
        [stop("normal", 1), stop("urgent", 9, priority=True)], [driver("d1", capacity=1)]
    )
    result = solve(problem, matrix)
    assert routes_of(result) == {"d1": ["urgent"]}
    assert reasons_of(result) == {"normal": UnassignedReason.NO_ROOM}


def test_package_leaves_from_its_own_pharmacy() -> None:
    """The stop at 19 km is next to site B (20 km) but its package is at A: A's driver goes."""
    problem, matrix = day(
        [stop("s", 19, origin_site="A")],
        [driver("at-a"), driver("at-b", start_site="B", end_site="B")],
        sites={"A": 0, "B": 20},
    )
    result = solve(problem, matrix)
    assert routes_of(result) == {"at-a": ["s"]}
    assert result.objective == 38_000
