"""Provider service names map onto the service levels the rules speak of."""

from __future__ import annotations

import pytest

from finalmile.rules.live_quotes import service_level


@pytest.mark.parametrize(
    ("carrier", "service", "level"),
    [
        ("UPS", "NextDayAir", "overnight"),  # EasyPost's names
        ("UPS", "ups_next_day_air", "overnight"),  # Shippo's tokens carry the carrier
        ("FedEx", "FEDEX_2_DAY", "two_day"),
        ("FedEx", "fedex_2_day", "two_day"),
        ("UPS", "2ndDayAir", "two_day"),
        ("USPS", "GroundAdvantage", "ground"),
        ("USPS", "usps_priority_express", "overnight"),
        ("FedEx", "FEDEX_GROUND", "ground"),
    ],
)
def test_known_services_have_a_level(carrier: str, service: str, level: str) -> None:
    assert service_level(carrier, service) == level


@pytest.mark.parametrize(("carrier", "service"), [("UPS", "WorldwideExpedited"), ("UPS", "UPS")])
def test_unknown_services_have_none(carrier: str, service: str) -> None:
    assert service_level(carrier, service) is None
