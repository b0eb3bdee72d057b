"""Group commit for concurrent senders: many messages, one transaction, one fsync.

Connections submit prepared messages and await their outcome. One worker drains whatever has
queued up while the previous transaction was committing (up to ``max_batch``) and commits it on
a dedicated thread, so the event loop never blocks on storage. Under light load a batch is one
message and latency is one commit; under heavy load the commit cost is shared.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import structlog

from finalmile.intake.outcome import Outcome, OutcomeKind
from finalmile.intake.prepare import PreparedMessage
from finalmile.intake.store import IntakeStore

log = structlog.get_logger(__name__)


class IntakeQueue:
    """Bounded queue in front of the store; a full queue answers RETRY at once (back-pressure)."""

    def __init__(
        self, store: IntakeStore, *, max_batch: int = 256, max_pending: int = 10_000
    ) -> None:
        self._store = store
        self._max_batch = max_batch
        self._queue: asyncio.Queue[tuple[PreparedMessage, asyncio.Future[Outcome]]] = asyncio.Queue(
            maxsize=max_pending
        )
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="intake-commit")
        self._worker: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start the commit worker."""
        self._worker = asyncio.create_task(self._run(), name="intake-commit")

    async def stop(self) -> None:
        """Commit what is queued, then stop the worker."""
        await self._queue.join()
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
        self._executor.shutdown(wait=True)

    async def submit(self, message: PreparedMessage) -> Outcome:
        """Queue ``message`` and wait until its transaction has committed (or failed)."""
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        try:
            self._queue.put_nowait((message, future))
        except asyncio.QueueFull:
            return Outcome(kind=OutcomeKind.RETRY, retry_reason="intake queue is full")
        return await future

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                outcomes = await loop.run_in_executor(
                    self._executor, self._store.commit, [message for message, _ in batch]
                )
            except Exception as exc:  # never leave a sender waiting forever
                log.exception(
                    "intake_commit_failed", error_type=type(exc).__name__, batch=len(batch)
                )
                outcomes = [Outcome(kind=OutcomeKind.RETRY, retry_reason="internal error")] * len(
                    batch
                )
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                if not future.done():
                    future.set_result(outcome)
                self._queue.task_done()
