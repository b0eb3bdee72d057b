"""Properties of ``decide`` under the default rules, on generated orders, clocks and quotes.

The rule checks below are written out independently of the engine (distance, hold time, depot
days from the ``holidays`` package, extras), so a bug in the engine cannot hide behind itself.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import holidays
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finalmile.canonical import DispatchOrder, StorageClass
from finalmile.rules import CarrierQuote, Decision, DeliveryOption, RateCardSource, decide
from tests.unit.rules.builders import DEMO, EASTERN, order

PLACES = [
    ("02474", "MA"), ("02110", "MA"), ("01810", "MA"), ("03101", "NH"), ("10001", "NY"),
    ("60601", "IL"), ("33101", "FL"), ("99501", "AK"), ("96813", "HI"), ("00000", "MA"),
]  # fmt: skip
NDCS = ["00002-8215-01", "68982-0850-01", "00169-4132-11", "99999-0000-01"]
CARRIER_HOLIDAYS = set(DEMO.config.holidays.names or [])
HOLD_HOURS = {StorageClass.REFRIGERATED: 48, StorageClass.FROZEN: 36}
COLD = (StorageClass.REFRIGERATED, StorageClass.FROZEN)
REMOTE_STATES = {"AK", "HI", "PR", "VI", "GU", "AS", "MP"}

clocks = st.datetimes(min_value=dt.datetime(2026, 11, 16), max_value=dt.datetime(2027, 1, 8)).map(
    lambda d: d.replace(second=0, microsecond=0, tzinfo=EASTERN)
)


@st.composite
def orders(draw: st.DrawFn, now: dt.datetime) -> DispatchOrder:
    place = draw(st.sampled_from(PLACES))
    hours = draw(st.none() | st.integers(min_value=1, max_value=150))
    return order(
        place,
        storage=draw(st.sampled_from(list(StorageClass))),
        needed_by=None if hours is None else now + dt.timedelta(hours=hours),
        signature=draw(st.booleans()),
        ndc=draw(st.sampled_from(NDCS)),
        quantity=draw(st.integers(min_value=1, max_value=4)),
    )


@st.composite
def live_quotes(draw: st.DrawFn, now: dt.datetime) -> list[CarrierQuote]:
    count = draw(st.integers(min_value=0, max_value=4))
    return [
        CarrierQuote(
            carrier=draw(st.sampled_from(["ups", "fedex"])),
            service=f"live_{index}",
            service_level=draw(st.sampled_from(["overnight", "two_day", "ground"])),
            cost=Decimal(draw(st.integers(min_value=500, max_value=15000))) / 100,
            estimated_delivery=now + dt.timedelta(minutes=draw(st.integers(120, 7 * 24 * 60))),
            options={
                option: Decimal(draw(st.integers(min_value=0, max_value=2000))) / 100
                for option in draw(st.sets(st.sampled_from(list(DeliveryOption))))
            },
        )
        for index in range(count)
    ]


@st.composite
def cases(draw: st.DrawFn) -> tuple[DispatchOrder, list[CarrierQuote], dt.datetime]:
    now = draw(clocks)
    subject = draw(orders(now))
    quotes = list(RateCardSource().quotes(subject, DEMO, now)) + draw(live_quotes(now))
    return subject, quotes, now


def _closed(day: dt.date) -> bool:
    names = holidays.country_holidays("US", subdiv="MA", years=day.year).get(day)
    return names is not None and any(n.strip() in CARRIER_HOLIDAYS for n in names.split(";"))


def _depot_days(decision: Decision) -> int:
    assert decision.ship_at is not None and decision.estimated_delivery is not None
    saturday = "saturday_delivery" in decision.options
    day, last, idle = decision.ship_at.date(), decision.estimated_delivery.date(), 0
    while day < last:
        day += dt.timedelta(days=1)
        weekend = day.weekday() == 6 or (day.weekday() == 5 and not saturday)
        idle += weekend or _closed(day)
    return idle


def _breaks_a_default_rule(
    subject: DispatchOrder, decision: Decision, quotes: list[CarrierQuote]
) -> str | None:
    place = DEMO.locate(subject.ship_to)
    miles = DEMO.distance_miles(place)
    if decision.delivery_type == "courier" and (miles is None or miles > 50):
        return "courier beyond the radius"
    value = DEMO.declared_value(subject)
    if (subject.requires_signature or value > 1000) and "adult_signature" not in decision.options:
        return "no adult signature"
    levels = {(q.carrier, q.service): q.service_level for q in quotes}
    level = levels.get((decision.carrier, decision.service))
    if subject.ship_to.state in REMOTE_STATES and level != "overnight":
        return "remote ZIP not overnight by carrier"
    if decision.delivery_type == "carrier" and subject.storage in COLD:
        assert decision.ship_at is not None and decision.estimated_delivery is not None
        hours = (decision.estimated_delivery - decision.ship_at).total_seconds() / 3600
        if hours > HOLD_HOURS[subject.storage]:
            return "cold chain beyond the packout's hold time"
        if _depot_days(decision):
            return "cold chain waits in a depot"
        if decision.ship_at.weekday() == 4 and "saturday_delivery" not in decision.options:
            return "cold chain on Friday without Saturday delivery"
    frozen = decision.delivery_type == "carrier" and subject.storage is StorageClass.FROZEN
    if frozen and "dry_ice" not in decision.options:
        return "frozen without dry ice"
    return None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_the_choice_breaks_no_rule_and_meets_the_deadline(
    case: tuple[DispatchOrder, list[CarrierQuote], dt.datetime],
) -> None:
    subject, quotes, now = case
    decision = decide(subject, DEMO, quotes, now)
    if decision.delivery_type == "hold":
        assert decision.reasons[-1].startswith("Hold: ")
        return
    assert decision.estimated_delivery is not None
    if subject.needed_by is not None:
        assert decision.estimated_delivery <= subject.needed_by
    assert _breaks_a_default_rule(subject, decision, quotes) is None


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_the_choice_is_the_cheapest_allowed(
    case: tuple[DispatchOrder, list[CarrierQuote], dt.datetime],
) -> None:
    subject, quotes, now = case
    decision = decide(subject, DEMO, quotes, now)
    for quote in quotes:
        alone = decide(subject, DEMO, [quote], now)
        if (alone.carrier, alone.service) != (quote.carrier, quote.service):
            continue  # not allowed on its own (or a courier run beat it)
        assert decision.delivery_type != "hold", f"{quote.name} was allowed"
        assert decision.cost is not None and alone.cost is not None
        assert decision.cost <= alone.cost


def test_decide_is_deterministic() -> None:
    now = dt.datetime(2026, 12, 4, 9, 30, tzinfo=EASTERN)
    subject = order(("10001", "NY"), storage=StorageClass.REFRIGERATED, signature=True)
    quotes = RateCardSource().quotes(subject, DEMO, now)
    assert decide(subject, DEMO, quotes, now) == decide(subject, DEMO, quotes, now)
