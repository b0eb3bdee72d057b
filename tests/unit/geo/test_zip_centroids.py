"""The offline ZIP-centroid geocoder: what a ZIP gives, what it refuses, and distances."""

from __future__ import annotations

import pytest

from finalmile.geo import ZipCentroids, haversine_miles


def test_a_zip_gives_its_centroid_zone_state_city_and_code() -> None:
    boston = ZipCentroids().locate("02110", "US")

    assert boston is not None
    assert (boston.state, boston.city, boston.postal_code) == ("MA", "Boston", "02110")
    assert boston.timezone == "America/New_York"
    assert 42.3 < boston.latitude < 42.4 and -71.1 < boston.longitude < -71.0


def test_zip_plus_four_reads_as_its_first_five_digits() -> None:
    assert ZipCentroids().locate("90012-1234", "US") == ZipCentroids().locate("90012", "US")


def test_distance_boston_to_los_angeles() -> None:
    zips = ZipCentroids()
    boston, la = zips.locate("02110", "US"), zips.locate("90012-1234", "US")

    assert boston is not None and la is not None
    assert 2550 < haversine_miles(boston, la) < 2650
    assert haversine_miles(boston, boston) == 0


@pytest.mark.parametrize("code", ["00001", "0211", "ABCDE", ""])
def test_unknown_or_malformed_zips(code: str) -> None:
    assert ZipCentroids().locate(code, "US") is None


def test_outside_the_us_nothing_is_known() -> None:
    assert ZipCentroids().locate("02110", "CA") is None
