"""A seeded fuzz run of the HL7 v2 front door: prepare, plan and ACK never raise, every ACK reads.

``make fuzz`` runs the same mutator for 1,000,000 cases and over a real MLLP socket.
"""

from __future__ import annotations

from finalmile_devtools.hl7_fuzz import mutants, run_in_process

CASES = 3_000


def test_mutated_messages_all_end_with_an_outcome_and_an_ack() -> None:
    counts, failures = run_in_process(seed=14, count=CASES)
    assert failures == []
    outcomes = sum(v for k, v in counts.items() if k.startswith("outcome "))
    assert outcomes == CASES
    # The run reaches both ends: accepted orders and refusals of each kind of ACK.
    assert counts["outcome accepted"] > 0 and counts["outcome rejected"] > 0
    assert {"ACK AA", "ACK AE", "ACK CA"} <= set(counts)


def test_the_mutator_is_reproducible() -> None:
    assert list(mutants(7, 200)) == list(mutants(7, 200))
