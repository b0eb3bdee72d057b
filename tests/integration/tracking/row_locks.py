"""Seeing a transaction wait for a row lock another one holds, for the tests that race them.

On PostgreSQL a test holds a lock in its own transaction and waits until the racing thread's
backend is blocked by it (``pg_blocking_pids``), so what it checks next happens while the other
transaction waits. On SQLite every write transaction takes the database's write lock when it
begins, so a racing transaction cannot begin before the test's ends: there is nothing to wait for.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from finalmile.app import Services

#: How long a racing thread may take to reach the lock (a re-plan spawns its search process).
REACH_SECONDS = 120


def backend(session: Session) -> int:
    """The PostgreSQL backend serving ``session``'s transaction (SQLite: 0)."""
    if session.get_bind().dialect.name != "postgresql":
        return 0
    return int(session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


def until_blocked_by(services: Services, blocker: int, worker: threading.Thread) -> int:
    """Wait until a backend waits for a lock that backend ``blocker`` holds and return its id
    (SQLite: 0 at once).

    Raises:
        AssertionError: ``worker`` ended, or nothing waited within ``REACH_SECONDS``.
    """
    if services.engine.dialect.name != "postgresql":
        return 0
    deadline = time.monotonic() + REACH_SECONDS
    with services.engine.connect() as connection:
        while worker.is_alive() and time.monotonic() < deadline:
            waiting = connection.execute(
                text(
                    "SELECT pid FROM pg_stat_activity"
                    " WHERE CAST(:blocker AS integer) = ANY(pg_blocking_pids(pid))"
                ),
                {"blocker": blocker},
            ).first()
            if waiting is not None:
                return int(waiting[0])
            connection.rollback()  # a transaction sees one snapshot of pg_stat_activity
            time.sleep(0.02)
    raise AssertionError(f"nothing waited for a lock of backend {blocker}")


def in_thread(work: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """A thread (not started) running ``work``; its result, or the exception it raised, lands in
    the returned list for the test to assert on."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(work())
        except Exception as exc:  # handed to the test thread, which asserts on it
            outcome.append(exc)

    return threading.Thread(target=run), outcome
