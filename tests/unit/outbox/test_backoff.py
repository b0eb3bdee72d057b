"""The outbox backoff: doubling from ``initial_seconds``, capped, plus uniform jitter."""

from __future__ import annotations

import datetime as dt

import pytest

from finalmile.outbox import RetryPolicy
from finalmile.outbox.backoff import next_delay, spent

NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)


def test_the_wait_doubles_until_the_cap() -> None:
    policy = RetryPolicy(initial_seconds=5, max_seconds=60, jitter_seconds=0)
    assert [next_delay(policy, n) for n in range(1, 7)] == [5, 10, 20, 40, 60, 60]


def test_a_very_late_attempt_waits_the_cap() -> None:
    policy = RetryPolicy(initial_seconds=5, max_seconds=900, jitter_seconds=0)
    assert next_delay(policy, 5000) == 900


def test_jitter_adds_up_to_jitter_seconds() -> None:
    policy = RetryPolicy(initial_seconds=5, max_seconds=900, jitter_seconds=5)
    delays = [next_delay(policy, 3) for _ in range(200)]
    assert all(20 <= d <= 25 for d in delays)
    assert len(set(delays)) > 1


def test_the_budget_ends_by_attempts_or_by_age() -> None:
    by_attempts = RetryPolicy(max_attempts=3, max_age_hours=None)
    assert not spent(by_attempts, attempts=2, budget_started_at=NOW, now=NOW)
    assert spent(by_attempts, attempts=3, budget_started_at=NOW, now=NOW)
    by_age = RetryPolicy(max_age_hours=1)
    later = NOW + dt.timedelta(hours=1)
    assert not spent(
        by_age, attempts=99, budget_started_at=NOW, now=later - dt.timedelta(seconds=1)
    )
    assert spent(by_age, attempts=1, budget_started_at=NOW, now=later)


def test_retries_must_end() -> None:
    with pytest.raises(ValueError, match="retries must end"):
        RetryPolicy(max_attempts=None, max_age_hours=None)
