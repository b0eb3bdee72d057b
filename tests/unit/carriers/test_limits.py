"""The per-account request limiter, counted rather than timed."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from finalmile.carriers.limits import RequestLimiter


def test_never_more_in_flight_than_allowed() -> None:
    limiter = RequestLimiter(max_concurrency=3, per_second=10_000)
    lock = threading.Lock()
    in_flight = peak = 0
    release = threading.Event()

    def call(_: int) -> None:
        nonlocal in_flight, peak
        with limiter.slot():
            with lock:
                in_flight += 1
                peak = max(peak, in_flight)
            release.wait(0.01)
            with lock:
                in_flight -= 1

    with ThreadPoolExecutor(max_workers=12) as pool:
        list(pool.map(call, range(60)))
    assert peak == 3
