"""Each default rule on its boundary, with synthetic orders, the demo site and a fixed clock.

Calendar: Thanksgiving is Thu 2026-11-26; 2026-12-01 is a Tuesday. UPS picks up at 17:00.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from finalmile.canonical import StorageClass
from finalmile.items import ItemEntry
from finalmile.rules import CarrierQuote, DeliveryOption, DeliveryType, decide
from finalmile.rules.ratecard import RateCardSource
from finalmile.rules.site_config import DeclaredValues
from tests.unit.rules.builders import (
    ANCHORAGE,
    CHICAGO,
    DEMO,
    NEAR,
    NEW_YORK,
    at,
    decide_with_rate_card,
    order,
    rules_text,
    site,
)

TUESDAY_10 = at("2026-12-01T10:00")


def _miles(where: tuple[str, str]) -> float:
    miles = DEMO.distance_miles(DEMO.locate(order(where).ship_to))
    assert miles is not None
    return miles


@pytest.mark.parametrize(("radius_delta", "expected"), [(0.0, "courier"), (-0.001, "hold")])
def test_courier_radius_boundary(radius_delta: float, expected: str) -> None:
    # Needed within the hour: only the courier can make it, so the radius decides courier or hold.
    miles = _miles(NEAR)
    near_site = site(rules=rules_text(courier_radius_miles=miles + radius_delta))
    subject = order(NEAR, needed_by=at("2026-12-01T12:00"))
    decision = decide_with_rate_card(subject, TUESDAY_10, near_site)
    assert decision.delivery_type == expected
    radius_reasons = [r for r in decision.reasons if "courier radius" in r]
    assert bool(radius_reasons) is (expected == "hold")


@pytest.mark.parametrize(
    ("needed_by", "expected"), [("2026-12-01T10:56", "courier"), ("2026-12-01T10:55", "hold")]
)
def test_courier_shift_must_reach_the_patient_before_needed_by(
    needed_by: str, expected: str
) -> None:
    # 45 min handling + 4.7 miles at 28 mph (11 min) from 10:00: arrives 10:56.
    decision = decide_with_rate_card(order(NEAR, needed_by=at(needed_by)), TUESDAY_10)
    assert decision.delivery_type == expected
    if expected == "hold":
        assert (
            "Courier (day) removed: arrives Tue 2026-12-01 10:56, needed by Tue 2026-12-01 10:55"
            in decision.reasons
        )


@pytest.mark.parametrize(
    ("now", "ships", "arrives"),
    [
        ("2026-12-01T16:59", "2026-12-01T17:00-05:00", "2026-12-07T20:00-06:00"),
        ("2026-12-01T17:00", "2026-12-02T17:00-05:00", "2026-12-08T20:00-06:00"),
    ],
)
def test_carrier_cutoff_minute(now: str, ships: str, arrives: str) -> None:
    decision = decide_with_rate_card(order(CHICAGO), at(now))
    assert (decision.carrier, decision.service) == ("ups", "ground")
    assert decision.ship_at == dt.datetime.fromisoformat(ships)
    assert decision.estimated_delivery == dt.datetime.fromisoformat(arrives)


def test_cold_chain_on_friday_goes_only_with_saturday_delivery() -> None:
    decision = decide_with_rate_card(
        order(NEW_YORK, storage=StorageClass.REFRIGERATED), at("2026-12-04T10:00")
    )
    assert (decision.carrier, decision.service) == ("ups", "next_day_air")
    assert decision.options == ("saturday_delivery",)
    assert decision.estimated_delivery == at("2026-12-05T10:30")
    assert decision.cost == Decimal("93.20")  # 46 + 2.60 x 12 lb + 16 Saturday
    assert "Saturday delivery required: cold chain leaving on a Friday" in decision.reasons
    assert any(r.startswith("UPS Ground removed: no saturday delivery") for r in decision.reasons)


def test_cold_chain_on_thursday_needs_no_saturday_but_never_waits_over_the_weekend() -> None:
    decision = decide_with_rate_card(
        order(NEW_YORK, storage=StorageClass.REFRIGERATED), at("2026-12-03T10:00")
    )
    assert decision.service == "priority_overnight"
    assert decision.options == ()
    assert decision.estimated_delivery == at("2026-12-04T10:30")
    assert (
        "UPS Ground removed: would wait 2 day(s) in a depot over a weekend or holiday"
        in decision.reasons
    )


def test_ambient_on_friday_may_wait_over_the_weekend() -> None:
    decision = decide_with_rate_card(order(NEW_YORK), at("2026-12-04T10:00"))
    assert decision.service == "ground"
    assert decision.options == ()


@pytest.mark.parametrize(
    ("now", "expected"), [("2026-11-25T10:00", "hold"), ("2026-11-18T10:00", "carrier")]
)
def test_cold_chain_never_sits_in_a_depot_over_a_holiday(now: str, expected: str) -> None:
    # Shipped the Wednesday before Thanksgiving, an overnight box would wait Thursday out.
    decision = decide_with_rate_card(order(NEW_YORK, storage=StorageClass.REFRIGERATED), at(now))
    assert decision.delivery_type == expected
    if expected == "hold":
        assert (
            "UPS Next Day Air removed: would wait 1 day(s) in a depot over a weekend or holiday"
            in decision.reasons
        )
        assert decision.reasons[-1] == "Hold: no delivery option is left; a person must decide"


def test_listed_closure_dates_count_as_holidays() -> None:
    closed = DEMO.config.holidays.model_copy(update={"dates": [dt.date(2026, 12, 2)]})
    decision = decide_with_rate_card(
        order(NEW_YORK, storage=StorageClass.REFRIGERATED), TUESDAY_10, site(holidays=closed)
    )
    assert decision.delivery_type == "hold"


def _timed_quote(hours: float, *, minutes: int = 0) -> CarrierQuote:
    pickup = at("2026-12-01T17:00")
    return CarrierQuote(
        carrier="ups",
        service="express",
        service_level="two_day",
        cost=Decimal("50.00"),
        estimated_delivery=pickup + dt.timedelta(hours=hours, minutes=minutes),
        options={DeliveryOption.DRY_ICE: Decimal(0)},
    )


@pytest.mark.parametrize(
    ("storage", "hours"), [(StorageClass.REFRIGERATED, 48), (StorageClass.FROZEN, 36)]
)
@pytest.mark.parametrize(("extra_minutes", "allowed"), [(0, True), (1, False)])
def test_packout_hold_time(
    storage: StorageClass, hours: int, extra_minutes: int, allowed: bool
) -> None:
    quote = _timed_quote(hours, minutes=extra_minutes)
    decision = decide(order(NEW_YORK, storage=storage), DEMO, [quote], TUESDAY_10)
    assert (decision.delivery_type == DeliveryType.CARRIER) is allowed
    if not allowed:
        limit = {StorageClass.REFRIGERATED: "refrigerated", StorageClass.FROZEN: "frozen"}[storage]
        transit = f"{hours + 1 / 60:.1f}".removesuffix(".0")
        assert (
            f"ups express removed: {transit} h in transit, the {limit} packout holds {hours} h"
            in decision.reasons
        )


def test_frozen_by_carrier_requires_dry_ice() -> None:
    decision = decide(
        order(NEW_YORK, storage=StorageClass.FROZEN), DEMO, [_timed_quote(20)], TUESDAY_10
    )
    assert decision.options == ("dry_ice",)


@pytest.mark.parametrize(("unit_value", "adult"), [("1000.00", False), ("1000.01", True)])
def test_declared_value_over_1000_requires_adult_signature(unit_value: str, adult: bool) -> None:
    values = DeclaredValues(by_ndc={"12345-6789-01": Decimal(unit_value)})
    valued = site(declared_values=values)
    decision = decide_with_rate_card(order(CHICAGO, ndc="12345678901"), TUESDAY_10, valued)
    assert ("adult_signature" in decision.options) is adult
    assert decision.cost == (Decimal("23.70") if adult else Decimal("16.20"))


def test_requested_signature_requires_adult_signature() -> None:
    decision = decide_with_rate_card(order(CHICAGO, signature=True), TUESDAY_10)
    assert decision.options == ("adult_signature",)
    assert any(r.startswith("Adult signature required") for r in decision.reasons)


def test_remote_zip_goes_overnight_by_carrier() -> None:
    decision = decide_with_rate_card(order(ANCHORAGE), TUESDAY_10)
    assert decision.delivery_type == DeliveryType.CARRIER
    assert decision.service in ("next_day_air", "priority_overnight")
    assert (
        "UPS Ground removed: remote ZIP 99501 outside the courier zones ships overnight by carrier"
        in decision.reasons
    )


def test_a_courier_zone_is_not_remote() -> None:
    zoned = site(rules=rules_text(courier_zips=['"99501"']))
    decision = decide_with_rate_card(order(ANCHORAGE), TUESDAY_10, zoned)
    assert decision.service == "ground"


def test_cheapest_survivor_wins_and_says_why() -> None:
    decision = decide_with_rate_card(order(CHICAGO), TUESDAY_10)
    assert decision.reasons[-1] == (
        "Chose UPS Ground: 16.20 USD, the cheapest of 4 allowed; arrives Mon 2026-12-07 20:00"
    )
    assert decision.rule_set == "default"
    assert decision.rule_set_sha256 == DEMO.rules.sha256


def test_unknown_zip_gets_no_courier_and_the_farthest_carrier_band() -> None:
    decision = decide_with_rate_card(order(("00000", "MA")), TUESDAY_10)
    assert "Courier not offered: the ship-to ZIP is not in the ZIP database" in decision.reasons
    assert (decision.service, decision.cost) == ("ground", Decimal("19.00"))


def test_no_quotes_and_no_courier_is_a_hold_that_says_so() -> None:
    decision = decide(order(CHICAGO), DEMO, [], TUESDAY_10)
    assert decision.delivery_type == DeliveryType.HOLD
    assert "No courier run and no carrier quote was available" in decision.reasons


@pytest.mark.parametrize(("offers_saturday", "allowed"), [(True, True), (False, False)])
def test_a_quoted_saturday_arrival_needs_saturday_delivery(
    offers_saturday: bool, allowed: bool
) -> None:
    # Friday pickup at 17:00, quoted to arrive Saturday 10:30 (a live carrier's estimate).
    options = {DeliveryOption.SATURDAY_DELIVERY: Decimal("12.00")} if offers_saturday else {}
    quote = CarrierQuote(
        carrier="ups",
        service="express_saver",
        service_level="overnight",
        cost=Decimal("40.00"),
        estimated_delivery=at("2026-12-05T10:30"),
        options=options,
    )
    decision = decide(
        order(NEW_YORK, storage=StorageClass.REFRIGERATED), DEMO, [quote], at("2026-12-04T10:00")
    )
    assert (decision.delivery_type == DeliveryType.CARRIER) is allowed
    if allowed:
        assert (decision.options, decision.cost) == (("saturday_delivery",), Decimal("52.00"))


def _entry(ndc: str, **flags: object) -> dict[str, ItemEntry]:
    entry = ItemEntry.model_validate({"ndc": ndc, "storage": "ambient", **flags})
    return {entry.ndc: entry}


def test_item_master_hazmat_keeps_only_services_that_declare_it() -> None:
    # CHICAGO by rate card: UPS Ground is the cheapest, and the demo site's only hazmat service.
    subject = order(CHICAGO, ndc="12345-6789-01")
    now = TUESDAY_10
    quotes = RateCardSource().quotes(subject, DEMO, now)
    plain = decide(subject, DEMO, quotes, now)
    hazmat = decide(subject, DEMO, quotes, now, _entry("12345-6789-01", hazmat="flammable"))
    assert (hazmat.carrier, hazmat.service) == ("ups", "ground")
    assert hazmat.options == ("hazmat",)
    assert hazmat.cost == plain.cost + Decimal("4.00")
    assert (
        "UPS Next Day Air removed: no hazmat, which rule 'Dangerous goods by carrier are "
        "declared' requires" in hazmat.reasons
    )
    assert "Hazmat declaration required: the item master flags an item as dangerous goods" in (
        hazmat.reasons
    )


def test_item_master_dry_ice_removes_services_without_it() -> None:
    subject = order(CHICAGO, ndc="12345-6789-01")
    quotes = RateCardSource().quotes(subject, DEMO, TUESDAY_10)
    iced = decide(subject, DEMO, quotes, TUESDAY_10, _entry("12345678901", dry_ice=True))
    assert "dry_ice" in iced.options and iced.service != "ground"
    assert (
        "UPS Ground removed: no dry ice, which rule 'Packed on dry ice by carrier declares it' "
        "requires" in iced.reasons
    )
