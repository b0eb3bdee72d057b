"""When to try a failed effect again: exponential backoff plus jitter, and when to stop."""

from __future__ import annotations

import datetime as dt
import random

from pydantic import BaseModel, ConfigDict, Field, model_validator


class RetryPolicy(BaseModel):
    """Exponential backoff with jitter, and the budget after which a row is dead-lettered."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    initial_seconds: float = Field(5, gt=0)
    max_seconds: float = Field(900, gt=0, description="the longest wait between two attempts")
    jitter_seconds: float = Field(5, ge=0)
    max_attempts: int | None = Field(
        None, ge=1, description="dead-letter after this many attempts (default: no limit)"
    )
    max_age_hours: float | None = Field(
        72, gt=0, description="dead-letter once retried this long (default 72 hours)"
    )

    @model_validator(mode="after")
    def _bounded(self) -> RetryPolicy:
        if self.max_attempts is None and self.max_age_hours is None:
            raise ValueError("give max_attempts, max_age_hours or both: retries must end")
        if self.max_seconds < self.initial_seconds:
            raise ValueError("max_seconds is below initial_seconds")
        return self


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
