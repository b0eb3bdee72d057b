"""Why an order is held, in plain words without patient data.

A hold's own reasons can quote order facts (a ZIP, a time zone), so the queue names only the
kind of hold and the options a person has; the full reasons stay in the decision.
"""

from __future__ import annotations

import json
from typing import Any

from finalmile.rules import DecisionRecord
from finalmile.vault import Vault

NO_SITE = "(none)"
_KINDS = (
    ("Hold: storage requirement unknown", "the storage requirement is unknown (fix the product)"),
    ("Hold: needed-by", "the needed-by time has already passed"),
    ("Hold: no delivery option is left", "no delivery option is left under the rules"),
    ("Hold: an internal error", "an internal error stopped the decision"),
)


def hold_reason(vault: Vault, record: DecisionRecord, choices: list[dict[str, Any]]) -> str:
    """The held exception's reason: what kind of hold, and the options listed."""
    decision: dict[str, Any] = json.loads(vault.decrypt(record.decision_encrypted))
    held = next((r for r in reversed(decision.get("reasons", [])) if r.startswith("Hold:")), "")
    found = next((words for start, words in _KINDS if held.startswith(start)), None)
    kind = found or "a hold rule of the site's rules applies"
    if record.site == NO_SITE:
        kind = "no site serves the order's connector"
    if not choices:
        return f"held for a person: {kind}; no options listed (re-decide after a fix, or override)"
    labels = ", ".join(choice["label"] for choice in choices)
    return f"held for a person: {kind}; options: {labels}"
