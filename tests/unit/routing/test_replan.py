"""Re-planning mid-day: done and en-route stops stay fixed, changes are absorbed."""

from __future__ import annotations

import datetime as dt

from finalmile.routing import Skill, UnassignedReason, check_plan, plan
from finalmile.routing.replan import DriverProgress, replan_problem
from tests.unit.routing.line import at, day, driver, line_matrix, on_line, stop, window
from tests.unit.routing.test_planner import BUDGET

COOLER = frozenset({Skill.COOLER})
HOUR = dt.timedelta(hours=1)


def test_replan_keeps_the_road_and_absorbs_changes() -> None:
    """At 08:30 D1 (left 08:00) has delivered s1 at 5 km and carries s2 (8 km) and s5 (12 km),
    both cold with a 1-hour limit; s5 opens only at 09:15, 75 min after D1 left: unreachable,
    although it would be fine counted from the re-plan. D2 is sick: its s6 (-4 km) and the new
    s4 (-6 km) go to D3 at the pharmacy (12 km); s3 is cancelled. D1 drives 5 -> 8 -> 0: 11 km.
    """
    cold = {"cold_packages": 1, "skills": COOLER, "cold_chain_limit": HOUR}
    problem, _ = day(
        [
            stop("s1", 5),
            stop("s2", 8, window("08:00", "12:00"), **cold),
            stop("s3", 3),
            stop("s5", 12, window("09:15", "10:00"), **cold),
            stop("s6", -4),
        ],
        [driver(name, cooler_capacity=2, skills=COOLER) for name in ("D1", "D2", "D3")],
    )
    progress = DriverProgress(
        driver_id="D1",
        fixed=("s1",),
        on_board=("s2", "s5"),
        position=on_line(5),
        free_at=at("08:30"),
        departed=at("08:00"),
    )
    rest = replan_problem(
        problem,
        now=at("08:30"),
        progress=[progress],
        new_stops=[stop("s4", -6)],
        cancelled=["s3"],
        absent=["D2"],
    )
    matrix = line_matrix(rest)
    result = plan(rest, matrix, BUDGET)
    assert check_plan(rest, result, matrix).violations == ()
    routes = {r.driver_id: [v.stop_id for v in r.visits] for r in result.routes}
    assert routes["D1"] == ["s2"]
    assert sorted(routes["D3"]) == ["s4", "s6"]
    assert "D2" not in routes
    assert {u.stop_id: u.reason for u in result.unassigned} == {"s5": UnassignedReason.UNREACHABLE}
    assert result.routes[0].departure >= at("08:30")
    assert result.objective == 11_000 + 12_000 + 1_000_000
