"""Run a seeded in-process fuzzer over worker processes, in chunks, with progress.

Chunk ``k`` runs ``count`` cases from seed ``seed + k * chunk``, so the cases (and the counts)
are the same whatever the number of workers.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial

#: ``(seed, count) -> (counts, [(case number, problem)])``: a module-level function (picklable).
Runner = Callable[[int, int], tuple[Counter[str], list[tuple[int, str]]]]


@dataclass
class PoolResult:
    """What a run found: counts by outcome, failures as ``(case, problem)``, and its pace."""

    cases: int
    counts: Counter[str] = field(default_factory=Counter)
    failures: list[tuple[int, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        """Cases per second."""
        return self.cases / self.seconds if self.seconds else 0.0


def _chunk(
    runner: Runner, seed: int, start: int, count: int
) -> tuple[Counter[str], list[tuple[int, str]]]:
    counts, failures = runner(seed + start, count)
    return counts, [(start + number, problem) for number, problem in failures]


def run_pool(
    runner: Runner,
    *,
    name: str,
    cases: int,
    seed: int,
    workers: int,
    chunk: int = 10_000,
    report: Callable[[str], None] = print,
) -> PoolResult:
    """Run ``cases`` through ``runner`` on ``workers`` processes, reporting progress about every
    tenth of the run."""
    starts = list(range(0, cases, chunk))
    sizes = [min(chunk, cases - start) for start in starts]
    result, began = PoolResult(cases), time.perf_counter()
    step, next_report = max(cases // 10, 1), 0
    with ProcessPoolExecutor(max_workers=max(workers, 1)) as pool:
        done = 0
        work = pool.map(partial(_chunk, runner, seed), starts, sizes)
        for size, (counts, failures) in zip(sizes, work, strict=True):
            result.counts.update(counts)
            result.failures.extend(failures)
            done += size
            if done >= next_report or done == cases:
                next_report = done + step
                rate = done / (time.perf_counter() - began)
                report(f"{name}: {done}/{cases} cases, {len(result.failures)} failed, {rate:.0f}/s")
    result.seconds = time.perf_counter() - began
    return result
