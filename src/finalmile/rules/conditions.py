"""Rule conditions: read from YAML, checked against the fact table, compiled once to predicates.

A condition is a mapping; every entry must hold. An entry is ``fact: value`` (equals),
``fact: [a, b]`` (one of), ``fact: {test: value, ...}``, or ``any: [conditions]``,
``all: [conditions]``, ``not: condition``. A value ``$name`` is the rule set's setting ``name``.
A test on an unknown value (no ZIP, no needed_by) is false, except ``known: false``.

Compiled predicates take an object that has the facts as attributes: the order's facts, or a
candidate (whose ``order`` attribute holds the order's facts).
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from finalmile.config import KeyPath, YamlDocument
from finalmile.rules.facts import CHOICES, FACTS, Fact, FactType

Predicate = Callable[[Any], bool]

ORDERED_TESTS = ("above", "at_least", "below", "at_most")
_ORDERED_SOURCE = {"above": ">", "at_least": ">=", "below": "<", "at_most": "<="}
TESTS = ("equals", "not_equals", "in", "not_in", "known", *ORDERED_TESTS)


@dataclass(frozen=True, slots=True)
class Test:
    """``fact <test> value``."""

    fact: Fact
    test: str
    value: Any


@dataclass(frozen=True, slots=True)
class Group:
    """``all``/``any`` of conditions, or ``not`` of one (``parts`` has one entry)."""

    kind: str
    parts: tuple[Node, ...]


Node = Test | Group


@dataclass(frozen=True, slots=True)
class Compiled:
    """A condition split for speed: the part on order facts (checked once per order) and the
    part that needs a candidate (checked per candidate). None stands for "no such part".
    """

    order: Predicate | None
    candidate: Predicate | None
    facts: frozenset[str]


def setting_path(name: str) -> KeyPath:
    """Where the rule set's setting ``name`` is written."""
    return ("settings", name)


class ConditionReader:
    """Reads conditions of one document, reporting every problem to it instead of stopping at the
    first. ``settings`` holds the valid settings; a reference to one that is invalid fails
    without a problem of its own (the setting has one)."""

    def __init__(self, document: YamlDocument, settings: Mapping[str, Any]) -> None:
        self.document = document
        self.settings = settings

    def read(self, data: Any, path: tuple[str | int, ...]) -> Node | None:
        """The condition at ``path``, or None (with errors recorded) when it is invalid."""
        if not isinstance(data, dict):
            self._fail(path, "a condition is a mapping of fact: test")
            return None
        parts: list[Node] = []
        ok = True
        for key, value in data.items():
            node = self._entry(key, value, (*path, key))
            ok = ok and node is not None
            if node is not None:
                parts.append(node)
        return Group("all", tuple(parts)) if ok else None

    def _entry(self, key: str, value: Any, path: tuple[str | int, ...]) -> Node | None:
        if key in ("any", "all"):
            if not isinstance(value, list) or not value:
                self._fail(path, f"{key} takes a non-empty list of conditions")
                return None
            parts = [self.read(item, (*path, i)) for i, item in enumerate(value)]
            if any(p is None for p in parts):
                return None
            return Group(key, tuple(p for p in parts if p is not None))
        if key == "not":
            inner = self.read(value, path)
            return None if inner is None else Group("not", (inner,))
        fact = FACTS.get(key)
        if fact is None:
            self._fail(
                path,
                f"unknown fact {key!r}{_guess(key, FACTS)}; facts are: {', '.join(FACTS)}",
                on_key=True,
            )
            return None
        if isinstance(value, dict):
            if not value:
                self._fail(path, "give at least one test")
                return None
            tests = [self._test(fact, t, v, (*path, t)) for t, v in value.items()]
            if any(t is None for t in tests):
                return None
            return Group("all", tuple(t for t in tests if t is not None))
        return self._test(fact, "in" if isinstance(value, list) else "equals", value, path)

    def _test(self, fact: Fact, test: str, raw: Any, path: tuple[str | int, ...]) -> Test | None:
        if test not in TESTS:
            self._fail(
                path,
                f"unknown test {test!r}{_guess(test, TESTS)}; tests are: {', '.join(TESTS)}",
                on_key=True,
            )
            return None
        value = self._resolve(raw, path)
        if value is _INVALID:
            return None
        if test == "known":
            if not isinstance(value, bool):
                self._fail(path, "known takes true or false")
                return None
            return Test(fact, test, value)
        if test in ORDERED_TESTS and fact.type not in (FactType.NUMBER, FactType.TIME):
            self._fail(path, f"{test} compares numbers or times; {fact.name} is a {fact.type}")
            return None
        if test in ("in", "not_in"):
            if not isinstance(value, list | tuple):
                self._fail(path, f"{test} takes a list")
                return None
            # Entries written here are located one by one; a setting's, at the reference.
            written = value is raw
            items = [
                self._scalar(fact, v, (*path, i) if written else path) for i, v in enumerate(value)
            ]
            if any(i is _INVALID for i in items):
                return None
            return Test(fact, test, frozenset(items))
        if isinstance(value, list | tuple):
            self._fail(path, f"{test} takes one value, not a list (use in)")
            return None
        scalar = self._scalar(fact, value, path)
        return None if scalar is _INVALID else Test(fact, test, scalar)

    def _resolve(self, raw: Any, path: tuple[str | int, ...]) -> Any:
        if isinstance(raw, str) and raw.startswith("$"):
            name = raw[1:]
            if name not in self.settings:
                self.document.report(
                    path,
                    f"no setting {name!r} in this rule set's settings",
                    follows=setting_path(name),
                )
                return _INVALID
            return self.settings[name]
        return raw

    def _scalar(self, fact: Fact, value: Any, path: tuple[str | int, ...]) -> Any:
        kind = fact.type
        if kind is FactType.NUMBER:
            if isinstance(value, bool) or not isinstance(value, int | float):
                self._fail(path, f"{fact.name} is a number; got {value!r}")
                return _INVALID
            return float(value)
        if kind is FactType.FLAG:
            if not isinstance(value, bool):
                self._fail(path, f"{fact.name} is true or false; got {value!r}")
                return _INVALID
            return value
        if kind is FactType.TIME:
            try:
                return dt.time.fromisoformat(str(value))
            except ValueError:
                self._fail(path, f"{fact.name} is a time of day like 17:00; got {value!r}")
                return _INVALID
        text = str(value)
        choices = CHOICES.get(kind)
        if choices is not None and text not in choices:
            self._fail(path, f"{text!r} is not a {kind}; use one of {', '.join(choices)}")
            return _INVALID
        return text

    def _fail(self, path: Sequence[str | int], message: str, *, on_key: bool = False) -> None:
        self.document.report(path, message, on_key=on_key)


_INVALID = object()


def _guess(word: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(known), n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def facts_of(node: Node) -> frozenset[str]:
    """Every fact name ``node`` tests."""
    if isinstance(node, Test):
        return frozenset((node.fact.name,))
    return frozenset().union(*(facts_of(p) for p in node.parts))


def per_candidate(node: Node) -> bool:
    """Whether ``node`` needs a candidate to be evaluated."""
    return any(FACTS[name].per_candidate for name in facts_of(node))


def compile_condition(node: Node) -> Compiled:
    """Split a top-level ``all`` into its order part and its candidate part, and compile both."""
    order_parts, candidate_parts = _split(node)
    return Compiled(
        order=_function(order_parts, via_candidate=False),
        candidate=_function(candidate_parts, via_candidate=True),
        facts=facts_of(node),
    )


def candidate_predicate(node: Node) -> Predicate:
    """``node`` as one predicate over a candidate (order facts read through ``candidate.order``)."""
    compiled = _function([node], via_candidate=True)
    assert compiled is not None
    return compiled


def acting_on(when: Node | None, target: Node | None, *, inverted: bool) -> Predicate | None:
    """The candidates a rule acts on, as one predicate: the candidate part of ``when`` and
    ``target`` (``not target`` when ``inverted``: allow_only removes what its target misses).
    None when the rule acts on every candidate."""
    parts = _split(when)[1] if when is not None else []
    if target is not None:
        parts.append(Group("not", (target,)) if inverted else target)
    return _function(parts, via_candidate=True)


def _split(node: Node) -> tuple[list[Node], list[Node]]:
    """A condition's parts on order facts only, and those that need a candidate."""
    parts = node.parts if isinstance(node, Group) and node.kind == "all" else (node,)
    flat: list[Node] = []
    for part in parts:  # flatten nested all-groups produced by multi-test entries
        if isinstance(part, Group) and part.kind == "all":
            flat.extend(part.parts)
        else:
            flat.append(part)
    return [p for p in flat if not per_candidate(p)], [p for p in flat if per_candidate(p)]


def _function(parts: list[Node], *, via_candidate: bool) -> Predicate | None:
    """One Python function testing every part, or None for no parts.

    The source is generated here from validated fact names and test kinds only; every value
    from the rule file is bound as a constant (``k0``, ``k1``...), never written into the
    source, so a rule file cannot inject code. One flat function per condition is several times
    faster than a tree of closures on the per-candidate path (the same technique dataclasses
    uses for ``__init__``).
    """
    if not parts:
        return None
    constants: dict[str, Any] = {}
    body = " and ".join(_source(p, via_candidate, constants) for p in parts)
    namespace: dict[str, Any] = {"__builtins__": {}, **constants}
    exec(f"def test(x):\n    return {body}\n", namespace)  # noqa: S102 - see docstring
    function: Predicate = namespace["test"]
    return function


def _source(node: Node, via_candidate: bool, constants: dict[str, Any]) -> str:
    if isinstance(node, Group):
        inner = [_source(p, via_candidate, constants) for p in node.parts]
        if node.kind == "not":
            return f"(not {inner[0]})"
        return "(" + (" or " if node.kind == "any" else " and ").join(inner or ["True"]) + ")"
    fact = node.fact
    read = f"x.order.{fact.name}" if via_candidate and not fact.per_candidate else f"x.{fact.name}"
    if node.test == "known":
        return f"({read} is {'not ' if node.value else ''}None)"
    constant = f"k{len(constants)}"
    constants[constant] = node.value
    if node.test == "equals":
        return f"({read} == {constant})"
    if node.test == "in":
        return f"({read} in {constant})"
    operator_text = {"not_equals": "!=", "not_in": "not in", **_ORDERED_SOURCE}[node.test]
    return f"({read} is not None and {read} {operator_text} {constant})"
