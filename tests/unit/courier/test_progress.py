"""Driver reports as re-planning progress: visited stops fixed, the load on board, where and when
the driver is free, and the earliest it can have left the pharmacy."""

from __future__ import annotations

import datetime as dt

from finalmile.courier.progress import PlannedDay, Report, driver_progress
from tests.unit.routing.line import at, day, driver, on_line, stop

SERVICE = dt.timedelta(minutes=6)
PROBLEM, _ = day(
    [stop(name, x, service=SERVICE) for name, x in (("s1", 5), ("s2", 8), ("s3", 12))],
    [driver("D1")],
)
PLANNED = PlannedDay("D1", at("08:10"), ("s1", "s2", "s3"), break_ends=(at("09:00"),))


def test_no_report_is_no_progress() -> None:
    assert driver_progress(PLANNED, [], PROBLEM) is None


def test_delivered_stop_is_fixed_and_the_rest_is_on_board() -> None:
    reports = [
        Report("s1", "picked_up", at("08:05")),
        Report("s2", "picked_up", at("08:06")),
        Report("s1", "arrived", at("08:30")),
        Report("s1", "delivered", at("08:34")),
    ]
    progress = driver_progress(PLANNED, reports, PROBLEM)
    assert progress is not None
    assert progress.fixed == ("s1",)
    assert progress.on_board == ("s2",)  # s3 was never picked up: still at the pharmacy
    assert (progress.position, progress.free_at) == (on_line(5), at("08:34"))
    assert progress.departed == at("08:06")  # the last pick-up: the earliest it can have left
    assert progress.breaks_taken == 0


def test_arrived_only_is_free_after_the_service_and_carries_the_planned_route() -> None:
    reports = [Report("s1", "delivered", at("08:40")), Report("s2", "arrived", at("09:20"))]
    progress = driver_progress(PLANNED, reports, PROBLEM)
    assert progress is not None
    assert progress.fixed == ("s1", "s2")
    assert progress.on_board == ("s3",)  # no pick-up reported: the planned route is on board
    assert (progress.position, progress.free_at) == (on_line(8), at("09:20") + SERVICE)
    assert progress.departed == at("08:10")  # planned departure, before its first stop report
    assert progress.breaks_taken == 1  # the planned break ended at 09:00


def test_pick_ups_only_leave_the_driver_at_the_pharmacy() -> None:
    progress = driver_progress(PLANNED, [Report("s2", "picked_up", at("08:20"))], PROBLEM)
    assert progress is not None
    assert (progress.fixed, progress.on_board, progress.departed) == ((), ("s2",), None)
    assert (progress.position, progress.free_at) == (on_line(0), at("08:20"))


def test_a_failed_attempt_is_visited() -> None:
    progress = driver_progress(PLANNED, [Report("s1", "attempt_failed", at("08:40"))], PROBLEM)
    assert progress is not None
    assert progress.fixed == ("s1",) and progress.free_at == at("08:40")
