"""The decision worker: decides newly received orders in the background, a batch at a time.

It runs beside intake, not inside it: intake stays as fast as before, and an order that arrives
while the worker is down is decided when it comes back (the worker looks for undecided orders,
it does not listen for events).
"""

from __future__ import annotations

import asyncio
import contextlib

import structlog

from finalmile.rules.service import Decider

log = structlog.get_logger(__name__)


class DecisionWorker:
    """Calls ``Decider.decide_pending`` until nothing is pending, then every ``interval`` s."""

    def __init__(self, decider: Decider, *, interval: float, batch: int = 100) -> None:
        self.decider = decider
        self.interval = interval
        self.batch = batch
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start deciding in the background (on the running event loop)."""
        self._task = asyncio.create_task(self._run(), name="decision-worker")

    async def stop(self) -> None:
        """Finish the batch in progress, then stop."""
        self._stopping.set()
        if self._task is not None:
            await self._task

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                done = await asyncio.to_thread(self.decider.decide_pending, limit=self.batch)
            except Exception as exc:  # storage trouble: log, wait, try again
                log.exception("decision_worker_failed", error_type=type(exc).__name__)
                done = 0
            if done < self.batch:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), timeout=self.interval)
