"""Carrier events arrive duplicated and out of order: the status never regresses, and the order is
shipped, delivered and billed exactly once whatever the order of arrival."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finalmile.app import Services
from finalmile.carriers.easypost.webhooks import parse_event
from tests.integration.tracking.helpers import (
    DELIVERED_PLAN,
    custody_kinds,
    dropship,
    easypost_event,
    outbox_topics,
    state_of,
)

PROGRESS = ["unknown", "pre_transit", "in_transit", "out_for_delivery", "delivered"]
#: One event per status change, each carrying every scan so far (as EasyPost sends them).
EVENTS = list(range(1, len(DELIVERED_PLAN) + 1))
sequence = itertools.count(1000)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    stream=st.lists(st.sampled_from(EVENTS), min_size=len(EVENTS), max_size=12).filter(
        lambda s: set(s) == set(EVENTS)
    )
)
def test_shuffled_duplicated_streams_never_regress_and_bill_once(
    tracked: Services, stream: list[int]
) -> None:
    order_id, number = dropship(tracked, next(sequence))
    service = tracked.tracking
    furthest = 0
    for upto in stream:
        event = parse_event(easypost_event(number, upto, event_id=f"evt_{number}_{upto}"))
        service.receive(provider="easypost", event_id=event.event_id, report=event.report)
        state = state_of(tracked, order_id)
        assert state is not None
        rank = PROGRESS.index(state.status.value)
        assert rank >= furthest, f"regressed from {PROGRESS[furthest]} to {state.status.value}"
        furthest = rank

    assert PROGRESS[furthest] == "delivered"
    assert outbox_topics(tracked, order_id) == {
        "order.shipped": 1,
        "order.delivered": 1,
        "order.delivery_confirmed": 1,
    }
    kinds = custody_kinds(tracked, order_id)
    assert kinds[0] == "transferred_to_carrier" and kinds[-1] == "delivered"
    assert kinds.count("delivered") == 1
