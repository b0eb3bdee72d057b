"""When to try a failed effect again: exponential backoff plus jitter, computed by tenacity."""

from __future__ import annotations

import datetime as dt

from tenacity import RetryCallState, Retrying, wait_exponential, wait_random

from finalmile.connectors.writeback.settings import RetryPolicy

_RETRYING = Retrying()


def next_delay(policy: RetryPolicy, attempts: int) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt (1-based).

    ``initial * 2**(attempts-1)`` capped at ``max_seconds``, plus up to ``jitter_seconds`` drawn
    uniformly, so rows that failed together (an outage) do not all come back in the same second.
    """
    wait = wait_exponential(
        multiplier=policy.initial_seconds, max=policy.max_seconds
    ) + wait_random(0, policy.jitter_seconds)
    state = RetryCallState(retry_object=_RETRYING, fn=None, args=(), kwargs={})
    state.attempt_number = attempts
    return float(wait(state))


def spent(
    policy: RetryPolicy, *, attempts: int, budget_started_at: dt.datetime, now: dt.datetime
) -> bool:
    """Whether a row that just failed its ``attempts``-th attempt goes to the dead letters."""
    if policy.max_attempts is not None and attempts >= policy.max_attempts:
        return True
    age = now - budget_started_at
    return policy.max_age_hours is not None and age >= dt.timedelta(hours=policy.max_age_hours)
