"""Fuzz the HL7 v2 front door: in-process cases, then mutated messages over a real MLLP socket.

    python scripts/fuzz_hl7.py [--cases 1000000] [--mllp-cases 20000] [--seed 14]

The in-process run prepares, plans and acknowledges each case (no database) and prints the counts
of outcomes and ACK codes and of uncaught exceptions, which must be 0. The MLLP run starts
``finalmile serve`` as a child process on a scratch SQLite database, sends the mutated messages
over 16 connections and counts ACKs: every frame must be answered. Exit status 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from cryptography.fernet import Fernet

from finalmile_devtools.hl7_fuzz import run_in_process, run_over_mllp
from finalmile_devtools.process import HOST, finalmile_server

CHUNK = 100_000


def in_process(cases: int, seed: int) -> bool:
    """Run ``cases`` in chunks (printing progress); True when nothing raised."""
    totals, failures, started, done = Counter[str](), 0, time.perf_counter(), 0
    while done < cases:
        size = min(CHUNK, cases - done)
        counts, failed = run_in_process(seed + done, size)
        totals.update(counts)
        failures += len(failed)
        for number, kind in failed[:5]:
            print(f"  case {done + number} (seed {seed + done}): {kind}", flush=True)
        done += size
        rate = done / (time.perf_counter() - started)
        print(f"in-process: {done} cases, {failures} uncaught, {rate:.0f} cases/s", flush=True)
    for key, value in sorted(totals.items()):
        print(f"  {key}: {value}")
    print(f"in-process: {done} cases, uncaught exceptions: {failures}")
    return failures == 0


async def over_mllp(cases: int, seed: int) -> bool:
    """Send ``cases`` mutated messages to a child server; True when every one was answered."""
    with tempfile.TemporaryDirectory() as scratch:
        env = {
            "FINALMILE_DATABASE_URL": f"sqlite:///{scratch}/fuzz.db",
            "FINALMILE_DATA_DIR": scratch,
            "FINALMILE_SECRET_KEY": Fernet.generate_key().decode(),
            "FINALMILE_LOG_LEVEL": "warning",
        }
        server = finalmile_server(env=env, log_path=Path(scratch) / "server.log")
        await server.start()
        started = time.perf_counter()
        try:
            counts = await run_over_mllp(HOST, server.port, seed=seed, count=cases)
        finally:
            await server.terminate()
        seconds = time.perf_counter() - started
        log = (Path(scratch) / "server.log").read_text(errors="replace")
    unanswered = counts["no ACK"] + counts["connection closed"]
    for key, value in sorted(counts.items()):
        print(f"  {key}: {value}")
    crashes = log.count("Unhandled exception")
    print(
        f"MLLP: {cases} messages in {seconds:.0f} s, unanswered: {unanswered}, "
        f"unhandled exceptions in the server log: {crashes}"
    )
    return unanswered == 0 and crashes == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000, help="in-process cases")
    parser.add_argument("--mllp-cases", type=int, default=20_000, help="messages over MLLP")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    ok = True
    if args.cases:
        ok = in_process(args.cases, args.seed) and ok
    if args.mllp_cases:
        ok = asyncio.run(over_mllp(args.mllp_cases, args.seed)) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.setdefault("FINALMILE_LOG_LEVEL", "warning")
    sys.exit(main())
