"""Choosing the rate to buy from what the carrier offered."""

from __future__ import annotations

from decimal import Decimal

import pytest

from finalmile.carriers.base import Quote, Rated
from finalmile.errors import PermanentError
from finalmile.shipments.purchase import choose_quote

RATED = Rated(
    provider_shipment_id="shp",
    quotes=(
        Quote(rate_id="a", carrier="USPS", service="Priority", amount=Decimal("9.10")),
        Quote(rate_id="b", carrier="UPS", service="Ground", amount=Decimal("8.00")),
        Quote(rate_id="c", carrier="FedEx", service="Priority", amount=Decimal("30.00")),
    ),
)


def test_cheapest_when_no_service_is_named() -> None:
    assert choose_quote(RATED, None).rate_id == "b"


def test_service_or_carrier_service_any_case() -> None:
    assert choose_quote(RATED, "priority").rate_id == "a"  # the cheaper of two Priority rates
    assert choose_quote(RATED, "FEDEX:priority").rate_id == "c"


def test_a_service_not_offered_lists_what_was() -> None:
    with pytest.raises(PermanentError, match=r"offered: FedEx:Priority, UPS:Ground, USPS:Priority"):
        choose_quote(RATED, "teleport")
    with pytest.raises(PermanentError, match="no rates"):
        choose_quote(Rated(provider_shipment_id="shp", quotes=()), None)
