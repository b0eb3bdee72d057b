"""What is retried, how often, and how long it waits (with a recording sleep, not a clock)."""

from __future__ import annotations

import pytest

from finalmile.carriers.errors import RateLimitedError, UncertainOutcomeError
from finalmile.errors import PermanentError
from finalmile.shipments.purchase import RetryPolicy
from finalmile.shipments.store import LeaseLostError


def failing(errors: list[Exception], result: str = "done"):  # type: ignore[no-untyped-def]
    calls: list[int] = []

    def call() -> str:
        calls.append(1)
        if errors:
            raise errors.pop(0)
        return result

    return call, calls


def test_429_waits_its_retry_after_capped_by_the_longest_wait() -> None:
    slept: list[float] = []
    policy = RetryPolicy(attempts=5, initial_wait=0.1, max_wait=4.0, sleep=slept.append)
    call, calls = failing(
        [RateLimitedError("429", retry_after=2.5), RateLimitedError("429", retry_after=60)]
    )
    assert policy.run(call) == "done"
    assert slept == [2.5, 4.0] and len(calls) == 3


def test_uncertain_outcomes_back_off_exponentially_with_jitter() -> None:
    slept: list[float] = []
    policy = RetryPolicy(attempts=6, initial_wait=0.5, max_wait=30.0, sleep=slept.append)
    call, _ = failing([UncertainOutcomeError("timeout") for _ in range(5)])
    assert policy.run(call) == "done"
    caps = [0.5 * 2**n for n in range(5)]
    assert all(0 <= s <= cap for s, cap in zip(slept, caps, strict=True))


def test_gives_up_after_the_budget_with_the_last_error() -> None:
    slept: list[float] = []
    policy = RetryPolicy(attempts=3, initial_wait=0.1, max_wait=1.0, sleep=slept.append)
    call, calls = failing([UncertainOutcomeError(f"t{n}") for n in range(5)])
    with pytest.raises(UncertainOutcomeError, match="t2"):
        policy.run(call)
    assert len(calls) == 3


@pytest.mark.parametrize("error", [PermanentError("no"), LeaseLostError("taken over")])
def test_refusals_and_lost_leases_are_not_retried(error: Exception) -> None:
    policy = RetryPolicy(attempts=5, initial_wait=0.1, max_wait=1.0, sleep=lambda _: None)
    call, calls = failing([error])
    with pytest.raises(type(error)):
        policy.run(call)
    assert len(calls) == 1
