"""When to try a failed effect again: exponential backoff plus jitter, and when to stop."""

from __future__ import annotations

import datetime as dt
import random

from finalmile.outbox_terms import RetryPolicy


def next_delay(policy: RetryPolicy, attempts: int) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt (1-based).

    ``initial * 2**(attempts-1)`` capped at ``max_seconds``, plus up to ``jitter_seconds`` drawn
    uniformly, so rows that failed together (an outage) do not all come back in the same second.
    """
    try:
        doubled = policy.initial_seconds * 2.0 ** (attempts - 1)
    except OverflowError:  # far past the cap
        doubled = policy.max_seconds
    jitter = random.uniform(0, policy.jitter_seconds)  # noqa: S311 - spreads load, not a secret
    return min(doubled, policy.max_seconds) + jitter


def spent(
    policy: RetryPolicy, *, attempts: int, budget_started_at: dt.datetime, now: dt.datetime
) -> bool:
    """Whether a row that just failed its ``attempts``-th attempt goes to the dead letters."""
    if policy.max_attempts is not None and attempts >= policy.max_attempts:
        return True
    age = now - budget_started_at
    return policy.max_age_hours is not None and age >= dt.timedelta(hours=policy.max_age_hours)
