"""Fuzz the front door: HL7 v2, FHIR R4 and CSV in-process, then mutated HL7 v2 over MLLP.

    python scripts/fuzz.py [--hl7-cases 1000000] [--fhir-cases 100000] [--csv-cases 100000]
                           [--mllp-cases 20000] [--seed 14] [--workers N]

Each in-process run feeds seeded mutants through the entry points the app uses (prepare, plan,
then the ACK, the OperationOutcome or the CSV report), no database, on ``--workers`` processes
(default: one per core), and prints its progress, the counts of outcomes, ACK and error codes,
and its rate; every case must end as an outcome with an answer (FHIR and CSV rejections located,
never ``internal_error``), so uncaught exceptions must be 0. The MLLP run starts ``finalmile
serve`` as a child process on a scratch SQLite database, sends the mutated messages over 16
connections and counts ACKs: every frame must be answered. Exit status 1 otherwise. A count of
0 skips that run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

from cryptography.fernet import Fernet

from finalmile_devtools import csv_fuzz, fhir_fuzz, hl7_fuzz
from finalmile_devtools.fuzz_pool import Runner, run_pool
from finalmile_devtools.process import HOST, finalmile_server


def in_process(name: str, runner: Runner, *, cases: int, seed: int, workers: int) -> bool:
    """Run ``cases`` of one fuzzer and print what became of them; True when none failed."""
    result = run_pool(runner, name=name, cases=cases, seed=seed, workers=workers)
    for case, problem in result.failures[:20]:
        print(f"  {name} case {case} (seed {seed}): {problem}")
    for key, value in sorted(result.counts.items()):
        print(f"  {key}: {value}")
    print(
        f"{name}: {cases} cases in {result.seconds:.0f} s ({result.rate:.0f}/s, {workers} "
        f"workers), uncaught exceptions or unanswered cases: {len(result.failures)}",
        flush=True,
    )
    return not result.failures


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

        def report(sent: int) -> None:
            rate = sent / (time.perf_counter() - started)
            print(f"MLLP: {sent}/{cases} messages sent, {rate:.0f}/s", flush=True)

        try:
            counts = await hl7_fuzz.run_over_mllp(
                HOST, server.port, seed=seed, count=cases, report=report
            )
        finally:
            await server.terminate()
        seconds = time.perf_counter() - started
        log = (Path(scratch) / "server.log").read_text(errors="replace")
    unanswered = counts["no ACK"] + counts["connection closed"]
    for key, value in sorted(counts.items()):
        print(f"  {key}: {value}")
    crashes = log.count("Unhandled exception")
    print(
        f"MLLP: {cases} messages in {seconds:.0f} s ({cases / seconds:.0f}/s), "
        f"unanswered: {unanswered}, unhandled exceptions in the server log: {crashes}"
    )
    return unanswered == 0 and crashes == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hl7-cases", type=int, default=1_000_000, help="HL7 v2 in-process")
    parser.add_argument("--fhir-cases", type=int, default=100_000, help="FHIR R4 in-process")
    parser.add_argument("--csv-cases", type=int, default=100_000, help="CSV files in-process")
    parser.add_argument("--mllp-cases", type=int, default=20_000, help="HL7 v2 over MLLP")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    runs: list[tuple[str, Runner, int]] = [
        ("HL7", hl7_fuzz.run_in_process, args.hl7_cases),
        ("FHIR", fhir_fuzz.run_in_process, args.fhir_cases),
        ("CSV", csv_fuzz.run_in_process, args.csv_cases),
    ]
    ok = True
    for name, runner, cases in runs:
        if cases:
            ok = in_process(name, runner, cases=cases, seed=args.seed, workers=args.workers) and ok
    if args.mllp_cases:
        ok = asyncio.run(over_mllp(args.mllp_cases, args.seed)) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.setdefault("FINALMILE_LOG_LEVEL", "warning")
    sys.exit(main())
