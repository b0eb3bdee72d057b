"""Verdicts: pass in range, single and cumulative excursions, gaps and uncovered trips, MKT."""

from __future__ import annotations

import datetime as dt

import pytest

from finalmile.canonical import StorageClass
from finalmile.config.temperature_limits import DEFAULT_LIMITS, ClassLimits
from finalmile.evidence.temperature.evaluate import Evaluation, Verdict, Window, evaluate
from finalmile.evidence.temperature.readings import TemperatureLog
from tests.unit.evidence.logs import ZONE, at, log_of

FRIDGE = ClassLimits(low=2, high=8, max_single_minutes=10, max_cumulative_minutes=20, max_mkt=8)


def judge(
    log: TemperatureLog,
    *,
    storage: StorageClass = StorageClass.REFRIGERATED,
    limits: ClassLimits = FRIDGE,
    window: Window | None = None,
) -> Evaluation:
    return evaluate(
        log, storage=storage, limits=limits, window=window or Window(), gap_factor=2.0, zone=ZONE
    )


def test_readings_in_range_pass_with_their_figures() -> None:
    result = judge(log_of([4.0, 5.0, 6.0] * 20))
    assert result.verdict is Verdict.PASS
    assert "every reading within 2.0-8.0 °C" in result.reasons
    assert (result.min_celsius, result.max_celsius) == (4.0, 6.0)
    assert result.time_in_range_percent == 100.0
    assert result.covered_minutes == 60.0
    assert result.excursions == ()


def test_a_single_excursion_over_its_limit_is_named_with_its_times() -> None:
    temperatures = [5.0] * 30 + [9.0] * 11 + [9.4] + [5.0] * 18  # 08:30-08:41 above 8 °C
    result = judge(log_of(temperatures))
    assert result.verdict is Verdict.EXCURSION
    assert "12 min above 8.0 °C from 08:30 to 08:42 (peak 9.4 °C); limit 10 min" in result.reasons
    assert result.time_in_range_percent == pytest.approx(100 * 48 / 60)


def test_an_excursion_within_its_limit_passes_and_says_so() -> None:
    result = judge(log_of([5.0] * 30 + [1.5] * 4 + [5.0] * 26))
    assert result.verdict is Verdict.PASS
    assert result.reasons[0] == (
        "4 min below 2.0 °C from 08:30 to 08:34 (peak 1.5 °C); limit 10 min, within it"
    )


def test_cumulative_excursions_over_the_limit_fail_though_each_is_within() -> None:
    temperatures = ([5.0] * 12 + [8.5] * 8) * 3  # three 8-minute excursions: 24 min in all
    result = judge(log_of(temperatures))
    assert result.verdict is Verdict.EXCURSION
    assert all("within it" in r for r in result.reasons[:3])
    assert "24 min outside 2.0-8.0 °C in 3 excursions; cumulative limit 20 min" in result.reasons
    assert result.excursion_minutes == 24.0


def test_a_gap_longer_than_k_intervals_is_incomplete_never_a_pass() -> None:
    temperatures: list[float | None] = [5.0] * 3 + [None] * 3 + [5.0] * 6
    result = judge(log_of(temperatures, interval=5))
    assert result.verdict is Verdict.INCOMPLETE
    assert result.reasons[0] == "every reading within 2.0-8.0 °C"
    assert result.reasons[1] == (
        "no reading for 20 min from 08:10 to 08:30; logging interval 5 min,"
        " at most 10 min without a reading"
    )


def test_one_missed_reading_is_within_k_intervals() -> None:
    result = judge(log_of([5.0, 5.0, None, 5.0, 5.0], interval=5))
    assert result.verdict is Verdict.PASS
    assert result.gaps == ()


def test_an_excursion_across_a_missed_reading_is_one_excursion() -> None:
    result = judge(log_of([5.0, 9.0, None, 9.0, 5.0], interval=5))
    assert [(s.start, s.end) for s in result.excursions] == [(at(8, 5), at(8, 20))]


def test_a_log_not_covering_departure_to_delivery_is_incomplete() -> None:
    log = log_of([5.0] * 60)  # 08:00 to 09:00
    result = judge(log, window=Window(departure=at(7, 30), delivery=at(8, 50)))
    assert result.verdict is Verdict.INCOMPLETE
    assert (result.gaps[0].start, result.gaps[0].end) == (at(7, 30), at(8, 0))
    late = judge(log, window=Window(departure=at(8, 10), delivery=at(9, 30)))
    assert late.verdict is Verdict.INCOMPLETE
    assert late.gaps[-1].end == at(9, 30)


def test_only_the_trip_is_judged_when_its_times_are_known() -> None:
    temperatures = [12.0] * 20 + [5.0] * 40  # warm on the bench before departure at 08:20
    result = judge(log_of(temperatures), window=Window(departure=at(8, 20), delivery=at(8, 59)))
    assert result.verdict is Verdict.PASS
    assert result.whole_trip
    assert result.max_celsius == 5.0
    assert result.covered_minutes == 39.0
    assert not any("unknown" in r for r in result.reasons)
    whole = judge(log_of(temperatures))
    assert whole.verdict is Verdict.EXCURSION
    assert whole.reasons[-1] == "departure and delivery times unknown: the whole log was evaluated"


def test_a_known_excursion_outranks_missing_readings() -> None:
    temperatures: list[float | None] = [5.0] * 5 + [None] * 5 + [9.0] * 20
    assert judge(log_of(temperatures)).verdict is Verdict.EXCURSION


def test_controlled_room_allows_15_to_30_but_counts_time_in_range_and_mkt() -> None:
    crt = DEFAULT_LIMITS[StorageClass.CONTROLLED_ROOM]
    result = judge(
        log_of([22.0] * 30 + [27.0] * 30), storage=StorageClass.CONTROLLED_ROOM, limits=crt
    )
    assert result.verdict is Verdict.PASS
    assert result.time_in_range_percent == 50.0
    warm = judge(log_of([28.0] * 120), storage=StorageClass.CONTROLLED_ROOM, limits=crt)
    assert warm.verdict is Verdict.EXCURSION
    assert warm.reasons == (
        "mean kinetic temperature 28.0 °C is above 25.0 °C",
        "every reading within 15.0-30.0 °C",
        "departure and delivery times unknown: the whole log was evaluated",
    )
    hot = judge(log_of([22.0] * 10 + [31.0] * 70), storage=StorageClass.CONTROLLED_ROOM, limits=crt)
    assert hot.verdict is Verdict.EXCURSION
    assert hot.reasons[0].startswith("70 min above 30.0 °C from 08:10 to 09:20")


def test_frozen_defaults_and_ambient_without_limits() -> None:
    frozen = DEFAULT_LIMITS[StorageClass.FROZEN]
    thawed = judge(log_of([-18.0] * 10 + [-8.0] * 40), storage=StorageClass.FROZEN, limits=frozen)
    assert thawed.verdict is Verdict.EXCURSION
    assert (
        thawed.reasons[0]
        == "40 min above -10.0 °C from 08:10 to 08:50 (peak -8.0 °C); limit 30 min"
    )
    ambient = judge(
        log_of([35.0] * 10),
        storage=StorageClass.AMBIENT,
        limits=DEFAULT_LIMITS[StorageClass.AMBIENT],
    )
    assert ambient.verdict is Verdict.PASS
    assert ambient.time_in_range_percent is None
    assert "no temperature limits apply to this storage class" in ambient.reasons


def test_mkt_is_time_weighted_over_the_trip() -> None:
    result = judge(log_of([5.0, 25.0], interval=30), limits=ClassLimits())
    assert result.mkt_celsius == pytest.approx(19.6977, abs=1e-3)


def test_a_log_spanning_days_names_dates_in_its_reasons() -> None:
    log = log_of([5.0] * 10 + [9.0] * 40, interval=60)
    assert (
        judge(log)
        .reasons[0]
        .startswith("2400 min above 8.0 °C from 2026-11-21 18:00 to 2026-11-23 10:00")
    )


def test_summary_is_json_ready() -> None:
    summary = judge(log_of([5.0] * 30 + [9.0] * 12 + [5.0] * 18)).summary()
    assert summary["excursions"] == [
        {
            "start": at(8, 30).isoformat(),
            "end": at(8, 42).isoformat(),
            "minutes": 12.0,
            "direction": "above",
            "peak_celsius": 9.0,
        }
    ]
    assert summary["covered_minutes"] == 60.0
    assert dt.datetime.fromisoformat(summary["end"]) == at(9, 0)
