"""Per-account request limits: a cap on requests in flight and a sustained request rate.

Every provider call of an account goes through its ``RequestLimiter``, from any thread, so a batch
bought by many workers still stays within what the provider allows.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class RequestLimiter:
    """At most ``max_concurrency`` requests in flight, started at most ``per_second`` a second.

    Starts are spaced evenly (no bursts), which is what a per-minute provider limit tolerates.
    """

    def __init__(self, *, max_concurrency: int, per_second: float) -> None:
        self.max_concurrency = max_concurrency
        self.per_second = per_second
        self._slots = threading.BoundedSemaphore(max_concurrency)
        self._interval = 1.0 / per_second
        self._lock = threading.Lock()
        self._next_start = time.monotonic()

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one request slot, waiting for the rate and for a free slot as needed."""
        with self._slots:
            with self._lock:
                now = time.monotonic()
                start = max(now, self._next_start)
                self._next_start = start + self._interval
            if start > now:
                time.sleep(start - now)
            yield
