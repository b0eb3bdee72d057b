"""A shipment's status is a function of the set of its events: order and duplicates never matter."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from finalmile.carriers.base import TrackingStatus as S
from finalmile.tracking.status import StatusPoint, current_status

T0 = dt.datetime(2026, 11, 20, 15, tzinfo=dt.UTC)


def at(hours: float, status: S, detail: str = "other") -> StatusPoint:
    return StatusPoint(status, T0 + dt.timedelta(hours=hours), detail)


DELIVERED_FLOW = [
    at(0, S.PRE_TRANSIT),
    at(6, S.IN_TRANSIT),
    at(30, S.IN_TRANSIT),
    at(41, S.OUT_FOR_DELIVERY),
    at(49, S.DELIVERED),
]
RETRY_FLOW = [
    at(0, S.PRE_TRANSIT),
    at(6, S.IN_TRANSIT),
    at(41, S.OUT_FOR_DELIVERY),
    at(45, S.FAILURE, "delivery_attempted"),
    at(65, S.OUT_FOR_DELIVERY),
    at(70, S.DELIVERED),
]
PROGRESS = {S.UNKNOWN: 0, S.PRE_TRANSIT: 1, S.IN_TRANSIT: 2, S.OUT_FOR_DELIVERY: 3}


def test_no_events_no_status() -> None:
    assert current_status([]) is None


def test_a_late_in_transit_never_undoes_out_for_delivery_or_delivered() -> None:
    assert current_status([at(41, S.OUT_FOR_DELIVERY), at(6, S.IN_TRANSIT)]).status is (
        S.OUT_FOR_DELIVERY
    )
    late_scan_with_a_newer_time = at(60, S.IN_TRANSIT)
    assert current_status([*DELIVERED_FLOW, late_scan_with_a_newer_time]).status is S.DELIVERED


def test_delivered_is_as_of_the_first_delivered_scan() -> None:
    point = current_status([*DELIVERED_FLOW, at(50, S.DELIVERED)])
    assert point == DELIVERED_FLOW[-1]


def test_a_failure_shows_until_newer_progress_clears_it() -> None:
    assert current_status(RETRY_FLOW[:4]).status is S.FAILURE
    assert current_status(RETRY_FLOW[:5]).status is S.OUT_FOR_DELIVERY
    assert current_status(RETRY_FLOW).status is S.DELIVERED


def test_return_to_sender_is_the_documented_way_out_of_delivered() -> None:
    assert current_status([*DELIVERED_FLOW, at(80, S.RETURNED)]).status is S.RETURNED
    assert current_status([at(80, S.RETURNED), at(90, S.DELIVERED)]).status is S.RETURNED


@given(
    st.sampled_from([DELIVERED_FLOW, RETRY_FLOW]).flatmap(
        lambda flow: st.tuples(
            st.just(flow),
            st.lists(st.sampled_from(flow), min_size=len(flow), max_size=3 * len(flow)).filter(
                lambda stream: set(stream) == set(flow)
            ),
        )
    )
)
def test_any_shuffled_duplicated_stream_ends_in_the_same_status(
    case: tuple[list[StatusPoint], list[StatusPoint]],
) -> None:
    flow, stream = case
    seen: list[StatusPoint] = []
    furthest = 0
    delivered = False
    for point in stream:
        seen.append(point)
        status = current_status(seen)
        assert status is not None
        if delivered:
            assert status.status is S.DELIVERED
        delivered = status.status is S.DELIVERED
        if status.status in PROGRESS:
            assert PROGRESS[status.status] >= furthest or any(p.status is S.FAILURE for p in seen)
            furthest = max(furthest, PROGRESS[status.status])
    assert current_status(stream) == current_status(flow) == flow[-1]
