"""Rule sets: a YAML file of named settings and ordered rules, validated and compiled once.

Loading reports every problem of a file at once, each with its line, in line order and once
(``ConfigError``): what uses an invalid setting fails without repeating the setting's problem. A
set that loaded is immutable and evaluates with no YAML or pydantic work per decision.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from enum import StrEnum
from functools import cached_property
from typing import Any

from finalmile.config import KeyPath, YamlDocument, load_yaml
from finalmile.rules.conditions import (
    Compiled,
    ConditionReader,
    Node,
    Predicate,
    acting_on,
    compile_condition,
    setting_path,
)
from finalmile.rules.facts import FACTS
from finalmile.rules.reasons import Words, compile_reason
from finalmile.rules.site_config import DeliveryOption
from finalmile.rules.wording import show

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_TOP_KEYS = ("name", "description", "settings", "rules")
_RULE_KEYS = ("name", "when", "reason", "forbid", "allow_only", "require", "hold")
#: Placeholders every reason may use besides facts and settings.
REASON_FIELDS = ("candidate", "rule")


class Action(StrEnum):
    """What a rule does when its condition holds."""

    FORBID = "forbid"
    ALLOW_ONLY = "allow_only"
    REQUIRE = "require"
    HOLD = "hold"


@dataclass(frozen=True, slots=True)
class Rule:
    """One compiled rule.

    ``when`` says when it applies; ``acts_on`` picks the candidates it removes (forbid,
    allow_only) or adds extras to (require): the candidate part of ``when`` together with the
    forbid or allow_only target, None for every candidate. ``options`` are what ``require``
    adds; ``reason`` is the template shown to people, with the settings already filled in and
    ``reason_fields`` the placeholders left to fill; ``words`` fills them (see
    ``reasons.compile_reason``).
    """

    name: str
    action: Action
    when: Compiled
    acts_on: Predicate | None
    options: tuple[DeliveryOption, ...]
    reason: str | None
    reason_fields: tuple[str, ...]
    line: int
    words: Words = dataclass_field(compare=False, repr=False)


@dataclass(frozen=True)
class RuleSet:
    """A validated rule set; ``version`` is set once the set has been activated for a site."""

    name: str
    description: str | None
    settings: Mapping[str, Any]
    rules: tuple[Rule, ...]
    text: str
    sha256: str
    source: str
    version: int | None = None

    @cached_property
    def steps(self) -> tuple[tuple[Rule, Predicate | None], ...]:
        """Each rule with its order-level condition, ready for the decision loop."""
        return tuple((rule, rule.when.order) for rule in self.rules)

    def with_version(self, version: int) -> RuleSet:
        """The same rules, known by the version number they were activated under."""
        return replace(self, version=version)

    @property
    def label(self) -> str:
        """``name v3`` once activated, ``name (sha256 1a2b3c4d)`` before."""
        if self.version is not None:
            return f"{self.name} v{self.version}"
        return f"{self.name} (sha256 {self.sha256[:8]})"


def load_rule_set(text: str, *, source: str) -> RuleSet:
    """Validate and compile a rule-set file.

    Raises:
        ConfigError: listing every problem with ``file:line``, by line.
    """
    document = load_yaml(text, source=source)
    data = document.data
    for key in data:
        if key not in _TOP_KEYS:
            document.report((key,), f"unknown key; use {', '.join(_TOP_KEYS)}", on_key=True)
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        document.report(("name",), "a rule set needs a name")
    description = data.get("description")
    settings = _settings(document, data.get("settings", {}))
    raw_rules = data.get("rules")
    rules: list[Rule] = []
    if not isinstance(raw_rules, list):
        document.report(("rules",), "rules is a list of rules")
    else:
        reader = ConditionReader(document, settings)
        seen: dict[str, int] = {}
        for index, raw in enumerate(raw_rules):
            rule = _rule(reader, raw, ("rules", index))
            if rule is None:
                continue
            if rule.name in seen:
                document.report(
                    ("rules", index, "name"), f"repeats the rule of line {seen[rule.name]}"
                )
            seen.setdefault(rule.name, rule.line)
            rules.append(rule)
    document.raise_errors()
    assert isinstance(name, str)
    return RuleSet(
        name=name.strip(),
        description=description if isinstance(description, str) else None,
        settings=settings,
        rules=tuple(rules),
        text=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        source=source,
    )


def _settings(document: YamlDocument, raw: Any) -> dict[str, Any]:
    """The valid settings; what uses an invalid one follows its problem (``setting_path``)."""
    if not isinstance(raw, dict):
        document.report(("settings",), "settings is a mapping of name: value")
        return {}
    settings: dict[str, Any] = {}
    for key, value in raw.items():
        path = setting_path(key)
        if not _NAME.match(key):
            document.report(path, "setting names are lower_case_with_underscores", on_key=True)
        elif isinstance(value, list):
            if not all(_is_scalar(v) for v in value):
                document.report(path, "a list setting holds plain values only")
            else:
                settings[key] = [_plain(v) for v in value]
        elif not _is_scalar(value):
            document.report(path, "a setting is a number, text, true/false or a list")
        else:
            settings[key] = _plain(value)
    return settings


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool | dt.date)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _rule(reader: ConditionReader, raw: Any, path: KeyPath) -> Rule | None:
    document, settings = reader.document, reader.settings
    if not isinstance(raw, dict):
        document.report(path, "a rule is a mapping with name, when and one action")
        return None
    for key in raw:
        if key not in _RULE_KEYS:
            document.report((*path, key), f"unknown key; use {', '.join(_RULE_KEYS)}", on_key=True)
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        document.report((*path, "name") if "name" in raw else path, "a rule needs a name")
    actions = [a for a in Action if a.value in raw]
    if len(actions) != 1:
        document.report(path, "give exactly one action: forbid, allow_only, require or hold")
    when_node = reader.read(raw["when"], (*path, "when")) if "when" in raw else None
    when = compile_condition(when_node) if when_node is not None else _ALWAYS
    target: Node | None = None
    options: tuple[DeliveryOption, ...] = ()
    action = actions[0] if len(actions) == 1 else None
    if action in (Action.FORBID, Action.ALLOW_ONLY):
        value = raw[action.value]
        if value is not True or action is Action.ALLOW_ONLY:
            target = reader.read(value, (*path, action.value))
    elif action is Action.REQUIRE:
        options = _options(document, raw["require"], (*path, "require"))
    elif action is Action.HOLD:
        if raw["hold"] is not True:
            document.report((*path, "hold"), "write hold: true")
        if when.candidate is not None:
            document.report((*path, "when"), "a hold rule can test order facts only")
    reason = raw.get("reason")
    fields: tuple[str, ...] = ()
    if reason is not None:
        reason, fields = _reason(document, reason, settings, (*path, "reason"))
    if document.failed(path) or action is None:
        return None
    assert isinstance(name, str)
    name = name.strip()
    return Rule(
        name=name,
        action=action,
        when=when,
        acts_on=acting_on(when_node, target, inverted=action is Action.ALLOW_ONLY),
        options=options,
        reason=reason,
        reason_fields=fields,
        line=document.line(path),
        words=compile_reason(name, reason, fields, [o.value for o in options]),
    )


_ALWAYS = Compiled(order=None, candidate=None, facts=frozenset())


def _options(document: YamlDocument, raw: Any, path: KeyPath) -> tuple[DeliveryOption, ...]:
    known = ", ".join(o.value for o in DeliveryOption)
    if not isinstance(raw, list) or not raw:
        document.report(path, f"require takes a list of options: {known}")
        return ()
    result: list[DeliveryOption] = []
    for index, value in enumerate(raw):
        try:
            result.append(DeliveryOption(value))
        except ValueError:
            document.report((*path, index), f"unknown option {value!r}; use {known}")
    return tuple(result)


def _reason(
    document: YamlDocument,
    reason: Any,
    settings: Mapping[str, Any],
    path: KeyPath,
) -> tuple[str, tuple[str, ...]]:
    """The template with settings filled in now (they never change), and the fields left."""
    if not isinstance(reason, str):
        document.report(path, "reason is text")
        return "", ()
    try:
        parts = list(string.Formatter().parse(reason))
    except ValueError as exc:
        document.report(path, f"bad placeholder: {exc}")
        return "", ()
    template, fields = "", []
    for literal, field, spec, conversion in parts:
        template += literal.replace("{", "{{").replace("}", "}}")
        if field is None:
            continue
        if spec or conversion:
            document.report(path, f"write {{{field}}} without a format")
        elif field in settings:
            template += show(settings[field]).replace("{", "{{").replace("}", "}}")
        elif field in FACTS or field in REASON_FIELDS:
            template += f"{{{field}}}"
            fields.append(field)
        else:
            document.report(
                path,
                f"unknown placeholder {{{field}}}; use a fact, a setting or {{candidate}}",
                follows=setting_path(field),
            )
    return template, tuple(dict.fromkeys(fields))
