"""Which US states (USPS codes) a ZIP belongs to, from the offline ``zipcodes`` package."""

from __future__ import annotations

from functools import cache

import zipcodes


def zip_states(postal_code: str) -> frozenset[str]:
    """The state of a ZIP or ZIP+4 (``02139``, ``02139-4307``); for a ZIP the data does not list
    (some PO box and unique ZIPs are missing), the states of its 3-digit prefix (the sectional
    center, which a state never shares but for a few border offices). Empty for a ZIP whose
    prefix is in no state."""
    zip5 = postal_code.strip()[:5]
    exact, by_prefix = _index()
    state = exact.get(zip5)
    return frozenset({state}) if state else by_prefix.get(zip5[:3], frozenset())


@cache
def _index() -> tuple[dict[str, str], dict[str, frozenset[str]]]:
    exact = {
        row["zip_code"]: row["state"]
        for row in zipcodes.list_all()  # type: ignore[no-untyped-call]
        if row["state"]
    }
    prefixes: dict[str, set[str]] = {}
    for zip5, state in exact.items():
        prefixes.setdefault(zip5[:3], set()).add(state)
    return exact, {prefix: frozenset(states) for prefix, states in prefixes.items()}
