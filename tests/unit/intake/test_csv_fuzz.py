"""A seeded fuzz run of CSV intake: every mutated file ends as stored outcomes (accepted orders,
located row rejections) or a located refusal, with a report that renders, never raising.

``make fuzz`` runs the same mutator for 100,000 files.
"""

from __future__ import annotations

from finalmile_devtools.csv_fuzz import mutants, run_in_process

CASES = 2_000


def test_mutated_files_all_end_with_located_outcomes_and_a_report() -> None:
    counts, failures = run_in_process(seed=14, count=CASES)
    assert failures == []
    assert counts["file"] == CASES
    assert counts["error internal_error"] == 0
    # The run reaches both ends: committed orders, rejected rows and refused files.
    assert counts["message accepted"] > 0 and counts["message rejected"] > 0
    assert {"file refused malformed_csv", "file refused missing_column"} <= set(counts)


def test_the_mutator_is_reproducible() -> None:
    assert mutants(7, 100) == mutants(7, 100)
