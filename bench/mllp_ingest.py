"""MLLP ingest: finalmile end to end (durable commits) against a bare MLLP echo server, in one run.

Usage: .venv/bin/python bench/mllp_ingest.py [--messages N] [--connections K] [--rate R]
       [--paced-seconds S] [--warmup W] [--database-url URL]

Each target runs alone as a child process and gets the same load from this process: K connections,
each sending its share of synthetic RDE^O11 messages one at a time (send, wait for the ACK, send
the next). The baseline answers every frame at once with a fixed ACK, so it measures the load
generator, loopback TCP and MLLP framing; finalmile decodes, maps, encrypts and commits each
message (group commit, durable) before it answers. First a saturating run of N messages, then a
paced run at R messages/s whose latency counts from each message's scheduled send time, so a
slow answer cannot hide the wait it causes (no coordinated omission).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import platform
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from finalmile.connectors.mllp.client import MllpClient
from finalmile.connectors.mllp.framing import frame, read_frame
from finalmile.db import create_db_engine
from finalmile_devtools import STORAGE_CODES, ChildServer, finalmile_server, free_port, rde_o11
from finalmile_devtools.process import HOST

MAX_FRAME_BYTES = 1_048_576
ACK_TIMEOUT_SECONDS = 30.0
ECHO_ACK = b"MSH|^~\\&|ECHO|ECHO|||20260101000000||ACK|ECHO1|P|2.5.1\rMSA|AA|1\r"
GOAL_MESSAGES_PER_SECOND = 1_000.0
GOAL_P99_MS = 50.0
GOAL_RATE = 200.0


@dataclass
class Run:
    """What one load run measured."""

    target: str
    connections: int
    seconds: float
    latencies: list[float]
    codes: Counter[str] = field(default_factory=Counter)

    @property
    def messages(self) -> int:
        """Messages acknowledged (whatever the code)."""
        return len(self.latencies)

    @property
    def rate(self) -> float:
        """Messages acknowledged per second of wall time."""
        return self.messages / self.seconds

    @property
    def not_aa(self) -> int:
        """Acknowledgements whose MSA-1 was not AA."""
        return self.messages - self.codes["AA"]

    def percentile_ms(self, q: float) -> float:
        """The ``q``-th percentile ACK latency (nearest rank), in milliseconds."""
        ordered = sorted(self.latencies)
        rank = min(len(ordered), max(1, math.ceil(q / 100 * len(ordered))))
        return ordered[rank - 1] * 1000


# --- load generation ---------------------------------------------------------------------------


def messages(first: int, count: int) -> list[bytes]:
    """``count`` distinct synthetic orders, sequence numbers from ``first``."""
    codes = STORAGE_CODES
    return [rde_o11(n, storage=codes[n % len(codes)]) for n in range(first, first + count)]


def ack_code(ack: bytes) -> str:
    """MSA-1 of an ACK (original mode: one ACK per message)."""
    return ack.partition(b"\rMSA|")[2][:2].decode("ascii", "replace")


async def drive(
    target: str, port: int, batch: list[bytes], connections: int, rate: float | None = None
) -> Run:
    """Send ``batch`` over ``connections`` lanes; paced at ``rate`` messages/s in total if given.

    Lane ``c`` sends messages ``c, c+K, c+2K...``; paced, message ``i`` is due ``i / rate`` seconds
    after the start and its latency counts from then.
    """
    async with contextlib.AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(MllpClient(HOST, port, timeout=ACK_TIMEOUT_SECONDS))
            for _ in range(connections)
        ]
        codes: Counter[str] = Counter()
        latencies: list[float] = []
        start = time.perf_counter()

        async def lane(index: int, client: MllpClient) -> None:
            for position in range(index, len(batch), connections):
                if rate is None:
                    due = time.perf_counter()
                else:
                    due = start + position / rate
                    await asyncio.sleep(max(0.0, due - time.perf_counter()))
                ack = await client.send(batch[position])
                latencies.append(time.perf_counter() - due)
                codes[ack_code(ack)] += 1

        async with asyncio.TaskGroup() as lanes:
            for index, client in enumerate(clients):
                lanes.create_task(lane(index, client))
        seconds = time.perf_counter() - start
    return Run(target, connections, seconds, latencies, codes)


# --- servers -----------------------------------------------------------------------------------


async def serve_echo(port: int) -> None:
    """The baseline: answer every MLLP frame at once with a fixed minimal ACK."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while await read_frame(reader, max_bytes=MAX_FRAME_BYTES) is not None:
                writer.write(frame(ECHO_ACK))
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(answer, HOST, port, limit=MAX_FRAME_BYTES + 2)
    async with server:
        await server.serve_forever()


# --- database ----------------------------------------------------------------------------------


@contextlib.contextmanager
def fresh_database(url: str | None, workdir: Path) -> Iterator[str]:
    """A fresh SQLite file in ``workdir``, or a new schema in the given PostgreSQL database."""
    if url is None:
        yield f"sqlite:///{workdir / 'bench.db'}"
        return
    if make_url(url).get_backend_name() != "postgresql":
        raise SystemExit("--database-url: give a PostgreSQL URL (the default is a fresh SQLite)")
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_db_engine(url)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        separator = "&" if "?" in url else "?"
        yield f"{url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def database_facts(engine: Engine) -> str:
    """Backend and durability settings, as the service's own engine sets them."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            synchronous = int(connection.exec_driver_sql("PRAGMA synchronous").scalar_one())
            journal = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
            names = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
            return f"SQLite, journal_mode={journal}, synchronous={names.get(synchronous, '?')}"
        version = connection.exec_driver_sql("SHOW server_version").scalar()
        commit = connection.exec_driver_sql("SHOW synchronous_commit").scalar()
        fsync = connection.exec_driver_sql("SHOW fsync").scalar()
        return f"PostgreSQL {version}, synchronous_commit={commit}, fsync={fsync}"


def stored_counts(engine: Engine) -> tuple[int, int]:
    """Orders, and inbound messages with status accepted."""
    with engine.connect() as connection:
        orders = connection.execute(text("SELECT count(*) FROM dispatch_order")).scalar_one()
        accepted = connection.execute(
            text("SELECT count(*) FROM inbound_message WHERE status = 'accepted'")
        ).scalar_one()
    return int(orders), int(accepted)


# --- report ------------------------------------------------------------------------------------


def table(title: str, runs: list[Run]) -> None:
    """Print one block of results, then finalmile's ratios against the baseline."""
    print(f"\n{title}")
    header = f"{'target':<14}{'messages':>9}{'conns':>6}{'wall s':>8}{'msg/s':>9}"
    print(header + f"{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}{'non-AA':>8}")
    for run in runs:
        print(
            f"{run.target:<14}{run.messages:>9}{run.connections:>6}{run.seconds:>8.2f}"
            f"{run.rate:>9.0f}{run.percentile_ms(50):>8.2f}{run.percentile_ms(99):>8.2f}"
            f"{max(run.latencies) * 1000:>8.1f}{run.not_aa:>8}"
        )
    baseline, finalmile = runs
    print(
        f"finalmile/baseline: throughput {finalmile.rate / baseline.rate:.2f}x, "
        f"p50 {finalmile.percentile_ms(50) / baseline.percentile_ms(50):.1f}x, "
        f"p99 {finalmile.percentile_ms(99) / baseline.percentile_ms(99):.1f}x"
    )


def verdict(goal: str, met: bool, measured: str) -> None:
    """Print one goal line."""
    print(f"  {'MET ' if met else 'MISS'} {goal}: {measured}")


def report(
    args: argparse.Namespace,
    load: float,
    facts: str,
    baseline: dict[str, Run],
    finalmile: dict[str, Run],
    orders: int,
    accepted: int,
) -> None:
    """Print the machine, both tables, the goals and the durability check."""
    print(
        f"{os.cpu_count()} CPUs (load average {load:.2f} at start), Python "
        f"{platform.python_version()}, {platform.platform()}\n"
        f"database: {facts}\nload generator, baseline and finalmile are separate processes"
    )
    saturating = finalmile["saturating"]
    title = f"saturating: {args.messages} messages over {args.connections} connections"
    table(title, [baseline["saturating"], saturating])
    if "paced" in finalmile:
        title = f"paced: {args.rate:g} messages/s for {args.paced_seconds:g} s"
        table(title, [baseline["paced"], finalmile["paced"]])
    print("\ngoals")
    verdict(
        f">= {GOAL_MESSAGES_PER_SECOND:.0f} messages/s sustained, durable",
        saturating.rate >= GOAL_MESSAGES_PER_SECOND,
        f"{saturating.rate:.0f} messages/s",
    )
    if "paced" in finalmile and args.rate == GOAL_RATE:
        p99 = finalmile["paced"].percentile_ms(99)
        goal = f"p99 ACK < {GOAL_P99_MS:.0f} ms at {GOAL_RATE:.0f} messages/s"
        verdict(goal, p99 < GOAL_P99_MS, f"{p99:.1f} ms")
    sent = sum(run.messages for run in finalmile.values())
    acknowledged = sum(run.codes["AA"] for run in finalmile.values())
    verdict(
        "every message answered AA and stored as one order",
        orders == accepted == acknowledged == sent,
        f"{sent} sent, {acknowledged} AA, {orders} orders, {accepted} accepted messages",
    )


# --- main --------------------------------------------------------------------------------------


async def measure(target: ChildServer, args: argparse.Namespace) -> dict[str, Run]:
    """Warm-up, saturating and paced runs against one target, started for them and stopped."""
    plan = {"warmup": (args.warmup, None), "saturating": (args.messages, None)}
    if args.rate > 0:
        plan["paced"] = (round(args.rate * args.paced_seconds), args.rate)
    runs: dict[str, Run] = {}
    first = 0
    await target.start()
    try:
        for name, (count, rate) in plan.items():
            if count > 0:
                batch = messages(first, count)
                first += count
                runs[name] = await drive(target.name, target.port, batch, args.connections, rate)
    except BaseException:
        print(f"--- last lines of the {target.name} log ---", target.log_tail(), sep="\n")
        raise
    finally:
        await target.terminate()
    return runs


def targets(url: str, workdir: Path) -> tuple[ChildServer, ChildServer]:
    """The echo baseline, and finalmile on the database at ``url``."""
    echo_port = free_port()
    echo = ChildServer(
        "echo baseline",
        [sys.executable, __file__, "--echo-port", str(echo_port)],
        port=echo_port,
        env=os.environ,
        log_path=workdir / "echo.log",
    )
    env = {
        "FINALMILE_DATABASE_URL": url,
        "FINALMILE_SECRET_KEY": Fernet.generate_key().decode(),
        "FINALMILE_DATA_DIR": str(workdir / "data"),
        # Intake alone: the decision job and outbox workers would share the database's writer.
        "FINALMILE_DECIDE_INTERVAL_SECONDS": "0",
        "FINALMILE_OUTBOX_WORKERS": "0",
    }
    return echo, finalmile_server(env=env, log_path=workdir / "finalmile.log")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000, help="saturating run size")
    parser.add_argument("--connections", type=int, default=16, help="concurrent MLLP connections")
    parser.add_argument(
        "--rate", type=float, default=GOAL_RATE, help="paced run, messages/s in total (0: skip)"
    )
    parser.add_argument("--paced-seconds", type=float, default=10.0, help="paced run length")
    parser.add_argument("--warmup", type=int, default=1_000, help="messages before measuring")
    parser.add_argument(
        "--database-url", help="PostgreSQL URL (a fresh schema is made and dropped); default SQLite"
    )
    parser.add_argument("--echo-port", type=int, help=argparse.SUPPRESS)  # the baseline process
    args = parser.parse_args()
    if args.echo_port is not None:
        asyncio.run(serve_echo(args.echo_port))
        return

    load = os.getloadavg()[0]  # this machine may be shared: say how busy it was
    with tempfile.TemporaryDirectory(prefix="finalmile-bench-") as tmp:
        workdir = Path(tmp)
        with fresh_database(args.database_url, workdir) as url:
            echo, finalmile = targets(url, workdir)
            baseline = asyncio.run(measure(echo, args))
            measured = asyncio.run(measure(finalmile, args))
            engine = create_db_engine(url)
            try:
                facts = database_facts(engine)
                orders, accepted = stored_counts(engine)
            finally:
                engine.dispose()
    report(args, load, facts, baseline, measured, orders, accepted)


if __name__ == "__main__":
    main()
