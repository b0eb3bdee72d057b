"""Counting a report's group: rates over what they divide by, cost to the cent, billing hours'
median and 90th percentile by nearest rank."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from finalmile.orders import OrderStatus
from finalmile.reports.facts import Group, OrderFacts
from finalmile.reports.tally import rows

DAY = dt.date(2026, 12, 1)
AT = dt.datetime(2026, 12, 1, 17, 0, tzinfo=dt.UTC)
GROUP = Group(DAY, "demo", "carrier", "UPS")


def delivered(pk: int, billed_after_hours: float | None) -> OrderFacts:
    billed = None if billed_after_hours is None else AT + dt.timedelta(hours=billed_after_hours)
    return OrderFacts(
        pk,
        GROUP,
        AT,
        OrderStatus.DELIVERED,
        Decimal("10.005") if pk % 2 else None,
        delivered_at=AT,
        billed_at=billed,
    )


def test_ten_billing_delays_give_the_median_and_the_ninth_as_p90() -> None:
    orders = [delivered(pk, hours) for pk, hours in enumerate(range(1, 11), start=1)]
    table, total = rows(orders, [], [])
    (row,) = table
    assert row.billing_median_hours == 5.5
    assert row.billing_p90_hours == 9.0  # rank ceil(0.9 x 10) = 9
    assert row.on_time_rate == 1.0 and row.first_attempt_rate == 1.0
    assert row.cost_per_delivery == Decimal("10.01")  # five orders with a cost, half up
    assert row.excursion_rate is None  # no temperature log
    assert total == row.__class__(**{**vars(row), "group": None})


def test_nothing_to_divide_by_is_none() -> None:
    held = OrderFacts(1, Group(DAY, "demo", "hold", None), AT, OrderStatus.HELD, None)
    (row,), _ = rows([held], [held.group], [])
    assert (row.orders, row.delivered, row.exceptions_opened) == (1, 0, 1)
    assert row.on_time_rate is None and row.cost_per_delivery is None
    assert row.billing_median_hours is None and row.billing_p90_hours is None
