"""One poller per connector at a time across processes: a PostgreSQL advisory lock.

Reliability rule 4 lets any number of service processes share one PostgreSQL database; each runs
the scheduler, so each would poll every connector. Polling twice is safe (version keys) but wasted
work, so a poll first takes a session-level advisory lock named after its connector and skips the
run when another process holds it. SQLite serves one process: there the lease is always granted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, func, select


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for ``name``."""
    digest = hashlib.sha256(f"finalmile:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def lease(engine: Engine, name: str) -> Iterator[bool]:
    """Yield whether this process holds the lease ``name`` (released on exit)."""
    if engine.dialect.name != "postgresql":
        yield True
        return
    key = lock_key(name)
    with engine.connect() as connection:
        held = bool(connection.scalar(select(func.pg_try_advisory_lock(key))))
        connection.commit()  # do not sit idle in a transaction while the poll runs
        try:
            yield held
        finally:
            if held:
                connection.execute(select(func.pg_advisory_unlock(key)))
                connection.commit()
