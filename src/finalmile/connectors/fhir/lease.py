"""One poller per connector at a time across processes: a PostgreSQL advisory lock.

Reliability rule 4 lets any number of service processes share one PostgreSQL database; each runs
the scheduler, so each would poll every connector. Polling twice is safe (version keys) but wasted
work, so a poll first takes a session-level advisory lock named after its connector and skips the
run when another process holds it. Advisory locks belong to the whole database, so the key also
names the schema: deployments (or test runs) in other schemas of one database never collide.
SQLite serves one process: there the lease is always granted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, func, select


def lock_key(connection: Connection, name: str) -> int:
    """A stable signed 64-bit advisory-lock key for ``name`` in the connection's schema."""
    schema = connection.scalar(select(func.current_schema()))
    digest = hashlib.sha256(f"finalmile:{schema}:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def lease(engine: Engine, name: str) -> Iterator[bool]:
    """Yield whether this process holds the lease ``name`` (released on exit)."""
    if engine.dialect.name != "postgresql":
        yield True
        return
    with engine.connect() as connection:
        key = lock_key(connection, name)
        held = bool(connection.scalar(select(func.pg_try_advisory_lock(key))))
        connection.commit()  # do not sit idle in a transaction while the poll runs
        try:
            yield held
        finally:
            if held:
                connection.execute(select(func.pg_advisory_unlock(key)))
                connection.commit()
