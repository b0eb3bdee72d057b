"""Rates and delivery dates: the rules docs/sandbox.md promises."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from finalmile_sandbox import catalogue
from finalmile_sandbox.catalogue import SERVICES_BY_TOKEN, Options

FRIDAY = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)
SUNDAY = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)
PLAIN = Options()


def service(token: str) -> catalogue.Service:
    return SERVICES_BY_TOKEN[token]


@pytest.mark.parametrize(
    ("miles", "zone"), [(0, 1), (50, 1), (51, 2), (300, 3), (999, 5), (1800, 7), (3000, 8)]
)
def test_zones(miles: float, zone: int) -> None:
    assert catalogue.zone_for(miles) == zone


def test_price_formula() -> None:
    ground = service("ups_ground")
    # zone 4 (500 mi), 3 lb billable (33 oz): 10.20 + 3 * 0.70 + 2 * 1.10
    assert catalogue.price(ground, miles=500, weight_oz=33, options=PLAIN) == Decimal("14.50")
    assert catalogue.price(ground, miles=10, weight_oz=1, options=PLAIN) == Decimal("10.20")


def test_surcharges() -> None:
    air, saver = service("ups_next_day_air"), service("ups_next_day_air_saver")
    everything = Options("ADULT_SIGNATURE", saturday_delivery=True, dry_ice_weight_oz=16)

    base = catalogue.price(air, miles=10, weight_oz=16, options=PLAIN)
    assert catalogue.price(air, miles=10, weight_oz=16, options=everything) - base == Decimal(
        "29.95"
    )  # 7.45 + 16.00 + 6.50
    saver_base = catalogue.price(saver, miles=10, weight_oz=16, options=PLAIN)
    saver_all = catalogue.price(saver, miles=10, weight_oz=16, options=everything)
    assert saver_all - saver_base == Decimal("13.95")  # no Saturday surcharge: never Saturday


def test_usps_refuses_heavy_dry_ice() -> None:
    light, heavy = Options(dry_ice_weight_oz=88), Options(dry_ice_weight_oz=88.5)

    assert catalogue.offers(service("usps_priority"), light)
    assert not catalogue.offers(service("usps_priority"), heavy)
    assert catalogue.offers(service("fedex_2_day"), heavy)


def test_insurance_fee() -> None:
    assert catalogue.insurance_fee(Decimal("250")) == Decimal("2.50")
    assert catalogue.insurance_fee(Decimal("20")) == Decimal("1.00")


def test_pickup_days() -> None:
    # Sunday: USPS ships Monday too; a Saturday shipment waits for Monday with UPS only.
    saturday = FRIDAY + dt.timedelta(days=1)
    assert catalogue.ship_date(service("usps_priority"), SUNDAY) == dt.date(2026, 11, 23)
    assert catalogue.ship_date(service("usps_priority"), saturday) == dt.date(2026, 11, 21)
    assert catalogue.ship_date(service("ups_ground"), saturday) == dt.date(2026, 11, 23)


@pytest.mark.parametrize(
    ("token", "miles", "saturday", "expected"),
    [
        ("usps_priority", 100, False, dt.date(2026, 11, 21)),  # USPS: Saturday
        ("usps_ground_advantage", 100, False, dt.date(2026, 11, 23)),  # Sat + Mon
        ("ups_next_day_air", 100, False, dt.date(2026, 11, 23)),
        ("ups_next_day_air", 100, True, dt.date(2026, 11, 21)),
        ("ups_next_day_air_saver", 100, True, dt.date(2026, 11, 23)),
        ("fedex_2_day", 2000, False, dt.date(2026, 11, 24)),  # Mon + Tue
        ("fedex_2_day", 2000, True, dt.date(2026, 11, 23)),  # Sat + Mon
        ("fedex_ground", 2600, False, dt.date(2026, 11, 27)),  # five weekdays
    ],
)
def test_delivery_dates_skip_sunday_and_saturday_unless_allowed(
    token: str, miles: float, saturday: bool, expected: dt.date
) -> None:
    svc, options = service(token), Options(saturday_delivery=saturday)
    shipped = catalogue.ship_date(svc, FRIDAY)

    arrives = catalogue.delivery_date(svc, shipped=shipped, miles=miles, options=options)

    assert arrives == expected
    assert arrives.weekday() != 6
