"""A seeded fuzz run of FHIR R4 intake: every mutated payload ends accepted or as a located
rejection with an OperationOutcome, never ``internal_error``.

``make fuzz`` runs the same mutator for 100,000 cases.
"""

from __future__ import annotations

from finalmile_devtools.fhir_fuzz import mutants, run_in_process

CASES = 2_000


def test_mutated_payloads_all_end_accepted_or_located() -> None:
    counts, failures = run_in_process(seed=14, count=CASES)
    assert failures == []
    assert counts["outcome accepted"] + counts["outcome rejected"] == CASES
    assert counts["error internal_error"] == 0
    # The run reaches mapping, not only the JSON reader.
    assert counts["outcome accepted"] > 0
    assert {"error invalid_json", "error required", "error unresolved_reference"} <= set(counts)


def test_the_mutator_is_reproducible() -> None:
    assert mutants(7, 100) == mutants(7, 100)
