"""Outbox throughput and lag: signed webhooks delivered to a local PMS receiver by 2 workers.

Usage: .venv/bin/python bench/outbox.py [--effects 1000] [--workers 2] [--rate 100]
                                          [--seconds 5] [--database-url URL]

The receiver runs in a child process (its own CPU): it checks each request's HMAC signature and
answers 200. Three measurements in one run:

- baseline: the same signed bodies POSTed one after another with one pooled HTTP client, no
  database (what a sender without an outbox does at best, and loses on a crash);
- throughput: ``--effects`` rows enqueued in one transaction, then ``--workers`` outbox workers
  (lease, POST, record the attempt, each its own transaction) deliver them all;
- lag: rows enqueued at ``--rate`` per second for ``--seconds`` while the workers run (polling
  every 0.1 s when idle); lag is enqueue to delivered, from the rows' own timestamps.

The default database is a fresh SQLite file (``synchronous=FULL``: every commit is fsynced);
with ``--database-url postgresql+psycopg://...`` the run uses a schema of its own, dropped after.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import hmac
import multiprocessing
import os
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.queues import Queue
from pathlib import Path
from typing import Any

import httpx2
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, select, text
from sqlmodel import col

from finalmile.app import Services, build_services
from finalmile.config.settings import Settings
from finalmile.connectors.writeback import body_of, event_of
from finalmile.connectors.writeback.signing import sign_finalmile
from finalmile.db import migrate, transaction
from finalmile.logging import configure_logging
from finalmile.outbox import OutboxEvent, OutboxStatus, Topic, enqueue
from finalmile.outbox.ports import Effect
from finalmile.outbox.worker import OutboxWorker

SECRET = "bench-secret"
POLL_SECONDS = 0.1


def serve_receiver(ports: Queue[int], stop: Any) -> None:
    """Child process: a PMS webhook endpoint that verifies signatures, until ``stop`` is set."""
    secret = SECRET.encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            timestamp = self.headers["Finalmile-Timestamp"]
            digest = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256)
            ok = hmac.compare_digest(
                self.headers["Finalmile-Signature"], f"v1={digest.hexdigest()}"
            )
            self.send_response(200 if ok else 401)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    ports.put(server.server_address[1])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stop.wait()
    server.shutdown()


def payload(n: int) -> dict[str, Any]:
    """An ``order.shipped`` payload for synthetic order ``n``."""
    return {
        "order_id": f"SYN-{n:07d}",
        "order_pk": n,
        "carrier": "UPS",
        "service": "Ground",
        "tracking_number": f"1ZSYN{n:010d}",
        "shipped_at": "2026-11-22T15:04:00+00:00",
    }


def enqueue_many(services: Services, start: int, count: int) -> None:
    """``count`` rows in one transaction."""
    with transaction(services.sessions) as session:
        for n in range(start, start + count):
            enqueue(
                session,
                topic=Topic.SHIPPED,
                key=f"shipped:{n}",
                connector="pms",
                payload=payload(n),
            )


def baseline(url: str, count: int) -> float:
    """Effects per second POSTed sequentially, signed, with no outbox."""
    now = dt.datetime.now(dt.UTC)
    effects = [
        Effect(n, f"shipped:{n}", Topic.SHIPPED, "pms", payload(n), now) for n in range(count)
    ]
    with httpx2.Client() as client:
        began = time.perf_counter()
        for effect in effects:
            body = body_of(event_of(effect))
            stamp = int(time.time())
            headers = {
                "Finalmile-Timestamp": str(stamp),
                "Finalmile-Signature": sign_finalmile(SECRET.encode(), stamp, body),
            }
            client.post(url, content=body, headers=headers).raise_for_status()
        return count / (time.perf_counter() - began)


class Workers:
    """``count`` worker threads draining until stopped, idling ``POLL_SECONDS`` when empty."""

    def __init__(self, services: Services, count: int) -> None:
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(services,)) for _ in range(count)]

    def _run(self, services: Services) -> None:
        worker = OutboxWorker(services.outbox, services.writeback)
        while not self.stop.is_set():
            if worker.drain() == 0:
                self.stop.wait(POLL_SECONDS)

    def __enter__(self) -> Workers:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()


def pending(services: Services) -> int:
    with services.sessions() as session:
        statement = select(col(OutboxEvent.id)).where(
            col(OutboxEvent.status) == OutboxStatus.PENDING.value
        )
        return len(list(session.scalars(statement)))


def lags(services: Services, first: int) -> list[float]:
    """Seconds from enqueue to delivered of rows ``first`` and later."""
    with services.sessions() as session:
        rows = session.scalars(select(OutboxEvent).where(col(OutboxEvent.id) >= first))
        return [
            (row.delivered_at - row.created_at).total_seconds()
            for row in rows
            if row.delivered_at is not None
        ]


def build(workdir: Path, url: str, database_url: str) -> Services:
    config = workdir / "config" / "connectors"
    config.mkdir(parents=True)
    (config / "pms.yaml").write_text(
        f"hl7v2: {{}}\nwriteback:\n  webhook:\n    url: {url}\n    secret_env: BENCH_PMS_SECRET\n",
        encoding="utf-8",
    )
    os.environ["BENCH_PMS_SECRET"] = SECRET
    settings = Settings(
        data_dir=workdir / "data",
        database_url=database_url,
        config_dir=workdir / "config",
        secret_key=Fernet.generate_key().decode(),
        log_level="WARNING",
    )
    migrate(settings.resolved_database_url)
    return build_services(settings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--effects", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rate", type=float, default=100.0, help="enqueued per second (lag)")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of the lag run")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()

    context = multiprocessing.get_context("spawn")
    ports: Queue[int] = context.Queue()
    stop = context.Event()
    receiver = context.Process(target=serve_receiver, args=(ports, stop), daemon=True)
    receiver.start()
    url = f"http://127.0.0.1:{ports.get(timeout=30)}/hooks"
    try:
        with tempfile.TemporaryDirectory() as tmp, database(args.database_url, Path(tmp)) as db:
            services = build(Path(tmp), url, db)
            try:
                run(services, url, args)
            finally:
                services.close()
    finally:
        stop.set()
        receiver.join(timeout=10)


@contextmanager
def database(url: str | None, workdir: Path) -> Iterator[str]:
    """A fresh SQLite file, or a schema of its own on the PostgreSQL server at ``url``."""
    if url is None or not url.startswith("postgresql"):
        yield url or f"sqlite:///{workdir / 'outbox.db'}"
        return
    schema = f"bench_outbox_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in url else "?"
    try:
        yield f"{url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def run(services: Services, url: str, args: argparse.Namespace) -> None:
    configure_logging("WARNING")
    base = baseline(url, args.effects)

    enqueue_many(services, 0, args.effects)
    began = time.perf_counter()
    with Workers(services, args.workers):
        while pending(services):
            time.sleep(0.01)
    throughput = args.effects / (time.perf_counter() - began)

    first = args.effects + 1
    total = int(args.rate * args.seconds)
    with Workers(services, args.workers):
        began = time.perf_counter()
        for n in range(total):
            enqueue_many(services, args.effects + n, 1)
            delay = began + (n + 1) / args.rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        while pending(services):
            time.sleep(0.01)
    measured = sorted(lags(services, first))
    p50 = statistics.median(measured)
    p99 = measured[min(len(measured) - 1, int(len(measured) * 0.99))]

    backend = services.engine.dialect.name
    print(f"outbox, {backend}, {args.workers} workers, receiver in a child process")
    print(f"  baseline sequential signed POSTs, no outbox: {base:8.0f} effects/s")
    print(
        f"  outbox ({args.effects} rows queued):            {throughput:8.0f} effects/s"
        f"  = {throughput / base:.2f}x baseline"
    )
    print(
        f"  lag at {args.rate:.0f}/s for {args.seconds:.0f} s ({len(measured)} rows): "
        f"p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms (idle poll {POLL_SECONDS * 1000:.0f} ms)"
    )


if __name__ == "__main__":
    main()
