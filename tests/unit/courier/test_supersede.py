"""Driver reports that came while a re-plan searched: visits by the stop's new driver are taken in,
anything else on a stop the new plan takes away from its reporter is a conflict."""

from __future__ import annotations

import pytest

from finalmile.courier.progress import Report
from finalmile.courier.rest_of_day import DriverReport
from finalmile.courier.supersede import take_in
from finalmile.errors import RetriableError
from finalmile.routing.plan import Plan, Route, ScheduledBreak, Unassigned, UnassignedReason, Visit
from tests.unit.routing.line import at


def _visit(stop_id: str, hhmm: str) -> Visit:
    return Visit(stop_id, at(hhmm), at(hhmm), at(hhmm))


PLAN = Plan(
    routes=(
        Route(
            "D1",
            at("08:00"),
            (_visit("s1", "08:20"), _visit("s2", "08:40"), _visit("s3", "09:30")),
            (ScheduledBreak(2, at("09:00"), at("09:15")),),  # between s2 and s3
            at("10:00"),
            9_000,
        ),
        Route("D2", at("08:00"), (_visit("s4", "08:30"),), (), at("09:00"), 4_000),
    ),
    unassigned=(Unassigned("s5", UnassignedReason.NO_ROOM),),
    objective=13_000,
)


def _late(driver_id: str, order_id: str, kind: str, update_id: int = 1) -> DriverReport:
    return DriverReport(update_id, driver_id, Report(order_id, kind, at("08:45")))


def test_no_late_report_keeps_the_plan() -> None:
    assert take_in(PLAN, [], fixed=set()) is PLAN


def test_a_visit_by_the_new_driver_leaves_its_planned_route_and_breaks_stay_on_their_leg() -> None:
    taken = take_in(
        PLAN,
        [_late("D1", "s1", "picked_up"), _late("D1", "s2", "delivered", 2)],
        fixed=set(),
    )
    d1, d2 = taken.routes
    assert [v.stop_id for v in d1.visits] == ["s1", "s3"]
    assert d1.breaks == (ScheduledBreak(1, at("09:00"), at("09:15")),)  # still before s3
    assert d2 == PLAN.routes[1] and taken.unassigned == PLAN.unassigned


def test_a_later_report_on_a_stop_visited_before_changes_nothing() -> None:
    assert take_in(PLAN, [_late("D3", "s0", "delivered")], fixed={"s0"}) is PLAN


@pytest.mark.parametrize(
    ("late", "words"),
    [
        (
            _late("D1", "s4", "picked_up"),
            "D1 reported s4 picked_up and the new plan gives it to D2",
        ),
        (_late("D2", "s5", "arrived"), "D2 reported s5 arrived and the new plan does not route it"),
        (_late("D2", "s9", "delivered"), "D2 reported s9 delivered and the new plan does not"),
    ],
)
def test_a_report_on_a_stop_taken_away_from_its_reporter_is_a_conflict(
    late: DriverReport, words: str
) -> None:
    with pytest.raises(RetriableError, match=words) as caught:
        take_in(PLAN, [_late("D1", "s2", "delivered", 7), late], fixed=set())
    assert str(caught.value).endswith("; re-plan again")
