"""A rule's reason compiled once: the words people read when the rule fires or removes an option.

The template (settings already filled in) and which object each placeholder reads are worked out
when the rule set loads, so a decision only reads the values and formats them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any

from finalmile.rules.facts import FACTS
from finalmile.rules.wording import show

#: ``words(order_facts, candidate_or_None) -> text``.
Words = Callable[[Any, Any], str]

_RULE, _CANDIDATE, _PER_CANDIDATE, _ORDER = range(4)
_ABOUT_CANDIDATE = (_CANDIDATE, _PER_CANDIDATE)
#: Reasons remembered per rule before the memo starts over (a long-running worker).
MEMO_LIMIT = 4096


def compile_reason(
    name: str, reason: str | None, fields: tuple[str, ...], required: Sequence[str]
) -> Words:
    """The function filling ``reason`` for rule ``name``.

    Without a reason the words are fixed: ``name: adult signature required`` for a rule that
    requires extras (``required``, in rule order), else ``rule 'name'``. Placeholders about a
    candidate read empty when the rule fired for the order as a whole.
    """
    if reason is None:
        fixed = (
            f"{name}: {', '.join(o.replace('_', ' ') for o in required)} required"
            if required
            else f"rule '{name}'"
        )
        return lambda _facts, _candidate: fixed
    if not fields:
        text = reason.format_map({})
        return lambda _facts, _candidate: text
    reads = tuple((field, _kind(field)) for field in fields)
    order_values = _reader([f for f, kind in reads if kind == _ORDER])
    candidate_values = _reader(
        ["label" if kind == _CANDIDATE else f for f, kind in reads if kind in _ABOUT_CANDIDATE]
    )
    memo: dict[tuple[Any, Any], str] = {}

    def fill(facts: Any, candidate: Any) -> str:
        values: dict[str, str] = {}
        for field, kind in reads:
            if kind == _ORDER:
                values[field] = show(getattr(facts, field))
            elif kind == _RULE:
                values[field] = name
            elif candidate is None:
                values[field] = ""
            elif kind == _CANDIDATE:
                values[field] = candidate.label
            else:
                values[field] = show(getattr(candidate, field))
        return reason.format_map(values)

    def words(facts: Any, candidate: Any) -> str:
        # The same values always read the same, and a batch repeats a few values a lot.
        key = (order_values(facts), None if candidate is None else candidate_values(candidate))
        text = memo.get(key)
        if text is None:
            if len(memo) >= MEMO_LIMIT:
                memo.clear()
            text = memo[key] = fill(facts, candidate)
        return text

    return words


def _reader(names: list[str]) -> Callable[[Any], Any]:
    """The values of attributes ``names`` of an object, as one hashable value."""
    if not names:
        return lambda _subject: ()
    return attrgetter(*names)


def _kind(field: str) -> int:
    if field == "rule":
        return _RULE
    if field == "candidate":
        return _CANDIDATE
    return _PER_CANDIDATE if FACTS[field].per_candidate else _ORDER
