"""The sandbox clock: real time by default, frozen or moved on at will by tests and the admin API.

Rates, ship dates and tracker progress read this clock, never the wall clock, so a test can buy a
label on a Friday and watch it be delivered on Monday without waiting.
"""

from __future__ import annotations

import datetime as dt
import time


class SandboxClock:
    """A clock that runs at ``rate`` times real time from ``start`` and can be advanced.

    Args:
        start: the sandbox time now (default: the real time now).
        rate: 1.0 runs with real time, 0.0 freezes the clock (tests).
    """

    def __init__(self, start: dt.datetime | None = None, *, rate: float = 1.0) -> None:
        if rate < 0:
            raise ValueError("clock rate must be >= 0")
        start = start or dt.datetime.now(dt.UTC)
        if start.tzinfo is None:
            raise ValueError("clock start must be timezone-aware")
        self._anchor = start.astimezone(dt.UTC)
        self._anchor_monotonic = time.monotonic()
        self._rate = rate

    def now(self) -> dt.datetime:
        """The sandbox time now (UTC)."""
        elapsed = (time.monotonic() - self._anchor_monotonic) * self._rate
        return self._anchor + dt.timedelta(seconds=elapsed)

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        """Move the clock forward (never back) and return the new time."""
        if delta < dt.timedelta(0):
            raise ValueError("the sandbox clock only moves forward")
        return self.set(self.now() + delta)

    def set(self, moment: dt.datetime) -> dt.datetime:
        """Jump to ``moment`` (timezone-aware) and keep running at the same rate from there."""
        if moment.tzinfo is None:
            raise ValueError("clock time must be timezone-aware")
        self._anchor = moment.astimezone(dt.UTC)
        self._anchor_monotonic = time.monotonic()
        return self._anchor

    @property
    def rate(self) -> float:
        """How fast the clock runs relative to real time."""
        return self._rate
