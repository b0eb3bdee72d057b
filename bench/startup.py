"""Process start-up: ``finalmile --help`` and ``import finalmile.main``, whole processes timed.

Usage: .venv/bin/python bench/startup.py [--runs 15] [--tree PATH ...]

Every command runs as a fresh interpreter, ``--runs`` times, the commands taking turns (round
robin) so that a burst of load on the machine hits them all alike. Each run is timed twice: wall
clock (what a user waits for) and the child's CPU seconds (user + system: much less sensitive to
whatever else the machine runs). Medians and bests are printed, with ratios to the baseline
measured in the same run: ``python -c "import fastapi, sqlalchemy, pydantic"``, the stack the
service is built on and cannot start without. ``python -c pass`` shows the bare interpreter.

``finalmile --help`` runs as ``python -m finalmile --help`` (the same code as the console
script) so that ``--tree`` can choose the code: each tree's ``src/`` goes first on
``PYTHONPATH``. Give ``--tree`` more than once to compare checkouts in one sitting (e.g. an
exported tree of an older commit, then this one); the default is this checkout. Before timing,
every command runs once untimed with bytecode writing on (``PYTHONDONTWRITEBYTECODE`` is dropped
for the children), as an installed package has its ``.pyc`` files.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1]
STACK = "import fastapi, sqlalchemy, pydantic"
APP = "import finalmile.main"


@dataclass
class Command:
    """One command line to time, the tree whose code it runs, and its timings."""

    label: str
    argv: list[str]
    tree: Path | None = None
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        """The child's environment: bytecode writing on, the tree's ``src/`` first."""
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        if self.tree is not None:
            paths = [str(self.tree / "src"), env.get("PYTHONPATH", "")]
            env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
        return env

    def run(self) -> tuple[float, float]:
        """Wall-clock and CPU seconds of one run (the CPU time of the child alone)."""
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(self.argv, env=self.env(), check=True, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return wall, cpu


def commands(trees: list[Path]) -> tuple[Command, Command, list[Command]]:
    """The interpreter, the stack baseline, and finalmile's two commands per tree."""
    python = sys.executable
    bare = Command("python -c pass (interpreter)", [python, "-c", "pass"])
    stack = Command(f'python -c "{STACK}" (baseline)', [python, "-c", STACK])
    ours = []
    for tree in trees:
        name = "" if trees == [CHECKOUT] else f"[{tree}] "
        ours += [
            Command(f"{name}finalmile --help", [python, "-m", "finalmile", "--help"], tree),
            Command(f'{name}python -c "{APP}"', [python, "-c", APP], tree),
        ]
    return bare, stack, ours


def main() -> None:
    """Warm up, time every command ``--runs`` times in turn, print medians, bests and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs per command")
    parser.add_argument(
        "--tree",
        type=Path,
        action="append",
        help="a finalmile checkout whose src/ to run (repeatable; default: this checkout)",
    )
    args = parser.parse_args()
    trees = [tree.resolve() for tree in args.tree or [CHECKOUT]]
    for tree in trees:
        if not (tree / "src" / "finalmile" / "__init__.py").is_file():
            parser.error(f"--tree {tree}: no src/finalmile/__init__.py there")
    bare, stack, ours = commands(trees)
    every = [bare, stack, *ours]
    load = os.getloadavg()[0]  # this machine may be shared: say how busy it was
    for command in every:  # untimed: writes bytecode, warms the file cache
        command.run()
    for _ in range(args.runs):
        for command in every:
            wall, cpu = command.run()
            command.wall.append(wall)
            command.cpu.append(cpu)

    print(
        f"start-up: {args.runs} runs per command, in turn; {os.cpu_count()} CPUs (load average "
        f"{load:.2f} at start, {os.getloadavg()[0]:.2f} at end), Python {platform.python_version()}"
    )
    width = max(len(command.label) for command in every)
    print(
        f"{'command':{width}} {'wall s median':>13} {'best':>6} {'cpu s median':>13} {'best':>6}"
        f" {'wall/baseline':>14} {'cpu/baseline':>13}"
    )
    wall_base, cpu_base = statistics.median(stack.wall), statistics.median(stack.cpu)
    for command in every:
        wall, cpu = statistics.median(command.wall), statistics.median(command.cpu)
        print(
            f"{command.label:{width}} {wall:>13.3f} {min(command.wall):>6.3f} {cpu:>13.3f}"
            f" {min(command.cpu):>6.3f} {wall / wall_base:>13.2f}x {cpu / cpu_base:>12.2f}x"
        )


if __name__ == "__main__":
    main()
