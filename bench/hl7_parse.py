"""HL7 v2 parsing throughput: finalmile's parser and mapping against python-hl7 and hl7apy.

Usage: .venv/bin/python bench/hl7_parse.py [--messages N] [--repeat R]

Every contender parses the same representative RDE^O11 (tests/fixtures/hl7/rde_o11_v251_basic.hl7)
in the same run; each number is the best of R rounds, and the ratio is against python-hl7's
``hl7.parse`` (parse only), the baseline. hl7apy runs N/50 messages because it is slow.
"""

from __future__ import annotations

import argparse
import platform
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import hl7
from hl7apy.parser import parse_message

from finalmile.adapters.hl7v2.parse import decode, parse
from finalmile.mapping.hl7v2 import Hl7Profile, decode_and_map

SAMPLE = Path(__file__).parents[1] / "tests" / "fixtures" / "hl7" / "rde_o11_v251_basic.hl7"


def rate(work: Callable[[], object], count: int, repeat: int) -> float:
    """Messages per second: the best of ``repeat`` rounds of ``count`` calls."""
    work()  # warm caches and imports outside the clock
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(count):
            work()
        best = min(best, time.perf_counter() - start)
    return count / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000, help="messages per round")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the best one counts")
    args = parser.parse_args()
    raw = SAMPLE.read_bytes()
    text = raw.decode()
    profile = Hl7Profile()
    slow = max(args.messages // 50, 10)
    warnings.simplefilter("ignore")  # hl7apy warns about deprecated fields in valid messages

    baseline = rate(lambda: hl7.parse(text), args.messages, args.repeat)
    rows = [
        (
            "finalmile decode+parse+map",
            args.messages,
            rate(
                lambda: decode_and_map(raw, connector="bench", profile=profile),
                args.messages,
                args.repeat,
            ),
        ),
        (
            "finalmile decode+parse",
            args.messages,
            rate(lambda: parse(decode(raw)), args.messages, args.repeat),
        ),
        ("python-hl7 hl7.parse (baseline)", args.messages, baseline),
        (
            "hl7apy parse_message find_groups=True",
            slow,
            rate(lambda: parse_message(text, find_groups=True), slow, args.repeat),
        ),
        (
            "hl7apy parse_message find_groups=False",
            slow,
            rate(lambda: parse_message(text, find_groups=False), slow, args.repeat),
        ),
    ]
    python = f"Python {platform.python_version()} on {platform.machine()}"
    print(f"{SAMPLE.name}, {len(raw)} bytes; {python}")
    print(f"{'contender':40} {'messages':>9} {'msg/s':>10} {'vs python-hl7':>14}")
    for name, count, value in rows:
        print(f"{name:40} {count:>9} {value:>10,.0f} {value / baseline:>13.2f}x")


if __name__ == "__main__":
    main()
