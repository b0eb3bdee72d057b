"""Mean kinetic temperature against values worked by hand from USP <1079.2>'s formula."""

from __future__ import annotations

import pytest

from finalmile.evidence.temperature.kinetics import mean_kinetic_temperature


def test_two_equal_weight_readings_match_the_hand_computation() -> None:
    # 5 °C = 278.15 K: 10000/278.15 = 35.951825, exp(-35.951825) = 2.434002e-16
    # 25 °C = 298.15 K: 10000/298.15 = 33.540164, exp(-33.540164) = 2.714512e-15
    # mean = 1.478956e-15, -ln(mean) = 34.147440, 10000/34.147440 = 292.8477 K = 19.70 °C
    assert mean_kinetic_temperature([(5.0, 1.0), (25.0, 1.0)]) == pytest.approx(19.6977, abs=1e-3)


def test_a_constant_temperature_is_its_own_mkt_and_weights_are_durations() -> None:
    assert mean_kinetic_temperature([(4.0, 3.0), (4.0, 7.0)]) == pytest.approx(4.0)
    # Three minutes at 5 °C and one at 25 °C equal readings 5, 5, 5, 25 at equal weights.
    assert mean_kinetic_temperature([(5.0, 180.0), (25.0, 60.0)]) == pytest.approx(
        mean_kinetic_temperature([(5.0, 1), (5.0, 1), (5.0, 1), (25.0, 1)])
    )


def test_mkt_weighs_warm_readings_more_than_the_arithmetic_mean() -> None:
    assert mean_kinetic_temperature([(2.0, 1.0), (8.0, 1.0)]) > 5.0


def test_no_weighted_sample_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least one"):
        mean_kinetic_temperature([(5.0, 0.0)])
