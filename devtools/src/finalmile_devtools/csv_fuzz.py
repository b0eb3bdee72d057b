"""A seeded CSV order-file mutator and the in-process run that feeds it to finalmile's CSV intake.

``mutants(seed, count)`` yields the same files for the same arguments: synthetic order files
(one and two rows per order, quoted fields, CRLF and LF, a UTF-8 BOM) mutated a few times on
their grid (a cell replaced by hostile text, rows dropped, repeated or moved, header columns
dropped, repeated or renamed, fields added, quoting broken) and, one in five, as bytes.
``run_in_process`` prepares, plans and answers each file (the JSON report of ``POST /csv``,
rendered as the HTTP layer renders it) without a database, and counts what became of it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
from collections import Counter
from typing import Any

from finalmile.errors import InputError
from finalmile.intake import CsvMessage, Outcome, OutcomeKind, prepare_csv
from finalmile.intake.codes import IntakeCode
from finalmile.intake.plan import outcome_of, plan_message
from finalmile.mapping import CsvProfile
from finalmile_devtools.fuzz_tokens import HOSTILE_TEXT, byte_mutate

NOW = dt.datetime(2026, 11, 20, 14, tzinfo=dt.UTC)
HEADER = [
    "order_id", "mrn", "family", "given", "birth_date", "phone", "email", "ship_name", "line1",
    "line2", "city", "state", "postal_code", "ndc", "description", "quantity", "unit", "storage",
    "controlled_schedule", "needed_by", "requires_signature", "instructions",
]  # fmt: skip
_CELLS = (
    *HOSTILE_TEXT, "", " ", "0", "-3", "1.5", "1e308", "10" * 30, "1970-02-30", "2026-11-24",
    "2026-11-24T17:00:00-05:00", "2026-11-24T25:00", "CII", "C9", "II", "A", "C", "frozen",
    "lukewarm", "ZZ", "99999", "02139-0000", "617-555-0100", "x@example.test", "mL", "EA",
)  # fmt: skip


def _row(n: int, item: int) -> list[str]:
    return [
        f"CF-{n}", f"MRN-C{n:04d}", "Testpatient", "Csv", "1961-04-02", f"617555{n % 100:04d}",
        "", "", f"{n} Test St, Unit 2", "", "Cambridge", "MA", "02139", "00002-8215-01",
        f"Test item {item}", str(item + 1), "mL", "R", "", "2026-11-24T17:00:00-05:00", "Y",
        "Leave with concierge",
    ]  # fmt: skip


def seeds() -> list[list[list[str]]]:
    """The starting grids (header first): one, two and five orders, one or two rows each."""
    return [
        [HEADER, _row(1, 0)],
        [HEADER, _row(2, 0), _row(2, 1), _row(3, 0)],
        [HEADER, *(_row(n, k) for n in range(4, 9) for k in range(2))],
    ]


def _mutate_grid(grid: list[list[str]], rng: random.Random) -> list[list[str]]:
    rows = [list(row) for row in grid]
    for _ in range(rng.choice((1, 1, 2, 3))):
        r = rng.randrange(len(rows)) if rows else 0
        match rng.randrange(8):
            case 0 | 1 | 2 if rows and rows[r]:
                rows[r][rng.randrange(len(rows[r]))] = rng.choice(_CELLS)
            case 3 if rows:
                del rows[r]
            case 4 if rows:
                rows.insert(rng.randrange(len(rows) + 1), list(rows[r]))
            case 5 if rows and rows[r]:
                del rows[r][rng.randrange(len(rows[r]))]
            case 6 if rows:
                rows[r].insert(rng.randrange(len(rows[r]) + 1), rng.choice(_CELLS))
            case _ if rows:
                rows[0][rng.randrange(len(rows[0]))] = rng.choice((*HEADER, "", "ORDER_ID", "x"))
    return rows


def _write(rows: list[list[str]], rng: random.Random) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=rng.choice(("\r\n", "\n")))
    for row in rows:
        writer.writerow(row)
    text = out.getvalue()
    if rng.random() < 0.1:  # quoting broken by hand
        text = text.replace(",", ',"', 1) if rng.random() < 0.5 else text.replace('"', "", 1)
    data = text.encode("utf-8", errors="surrogatepass")
    return b"\xef\xbb\xbf" + data if rng.random() < 0.1 else data


def mutants(seed: int, count: int) -> list[bytes]:
    """``count`` files, the same for the same ``seed``; one in ten is a seed unchanged."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test input, not cryptography
    pool = seeds()
    out = []
    for _ in range(count):
        grid = rng.choice(pool)
        raw = _write(grid if rng.random() < 0.1 else _mutate_grid(grid, rng), rng)
        out.append(byte_mutate(raw, rng) if rng.random() < 0.2 else raw)
    return out


def answer(results: list[tuple[CsvMessage, Outcome]], error: InputError | None) -> bytes:
    """The ``POST /csv`` report of a file's results, rendered as the HTTP layer renders JSON."""
    body: dict[str, Any] = {
        "orders": [
            {"order_id": order_id, "action": action}
            for _, outcome in results
            for order_id, action in zip(outcome.order_ids, outcome.actions, strict=True)
        ],
        "rejected": [
            {"line": row.line, "order_id": row.order_id, "location": row.error.location}
            | {"code": row.error.code, "error": row.error.message}
            for message, _ in results
            for row in message.rejections
        ],
    }
    if error is not None:
        body["error"] = {"location": error.location, "code": error.code, "error": error.message}
    return json.dumps(body, ensure_ascii=False, allow_nan=False).encode("utf-8")


def check(outcome: Outcome) -> str | None:
    """Why ``outcome`` is not a stored outcome with an answer, or None when it is."""
    if outcome.kind is OutcomeKind.ACCEPTED:
        return None if outcome.order_ids else "accepted without orders"
    if outcome.kind is not OutcomeKind.REJECTED or outcome.error is None:
        return f"unexpected outcome {outcome.kind.value}"
    if outcome.error.code == IntakeCode.INTERNAL_ERROR:
        return "internal_error"
    return None if outcome.error.location else f"unlocated {outcome.error.code}"


def run_in_process(seed: int, count: int) -> tuple[Counter[str], list[tuple[int, str]]]:
    """Prepare, plan and answer ``count`` mutated files; the counts of files, message outcomes
    and error codes, and the (case number, problem) of each case that raised or ended without a
    located answer."""
    profile, counts, failures = CsvProfile(), Counter[str](), []
    for number, raw in enumerate(mutants(seed, count)):
        results: list[tuple[CsvMessage, Outcome]] = []
        error: InputError | None = None
        try:
            try:
                for message in prepare_csv(
                    io.BytesIO(raw),
                    connector="fuzz",
                    profile=profile,
                    received_at=NOW,
                    source=f"file-{number}",
                ):
                    plan = plan_message(message.prepared, originals={}, orders={})
                    results.append((message, outcome_of(plan)))
            except InputError as exc:  # the file (or the rest of it) cannot be read
                error = exc
            answer(results, error)
        except Exception as exc:  # counted, not raised: the run reports every failure
            failures.append((number, type(exc).__name__))
            continue
        if error is not None:
            counts[f"file refused {error.code}"] += 1
            if not error.location:
                failures.append((number, f"unlocated file error {error.code}"))
        failures.extend((number, p) for _, o in results if (p := check(o)) is not None)
        counts["file"] += 1
        for _, outcome in results:
            counts[f"message {outcome.kind.value}"] += 1
            if outcome.error is not None:
                counts[f"error {outcome.error.code}"] += 1
    return counts, failures
