"""YAML configuration files: parsed safely, the line of every key kept, every error in one form.

Connector profiles, sites and rule sets all load through ``load_yaml``. It builds plain values from
YAML's safe types only, keeps times such as ``17:00`` as text, and refuses what would hide a
mistake: a key given twice (plain YAML keeps the last), a key that is not text, an alias
(``*name``, whose errors would point at its anchor), a tag (``!!python/...``) and a file that is
not a mapping at the top.
Every error reads ``file:line: key.path: message``::

    connectors/pms.yaml:12: hl7v2.mapping.storage: 'ZRX-four' is not an HL7 path like 'PID-5'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from finalmile.errors import ConfigError

#: Where a value sits in a document: keys and list indexes from the top.
KeyPath = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)

#: Pydantic's words for the errors pharmacy IT meets most, put plainly.
_PLAIN_WORDS = {"missing": "required", "extra_forbidden": "unknown key"}
#: Tags of plain mappings and lists; any other (``!!set``, ``!!python/...``) is refused.
_PLAIN_COLLECTIONS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


@dataclass(frozen=True)
class YamlDocument:
    """A loaded file: its top-level mapping, the 1-based line of each key path in it, and the
    ``problems`` found while loading (keys given twice, keys that are not text, aliases, values
    YAML cannot build), which the caller reports together with its own."""

    source: str
    data: dict[str, Any]
    lines: dict[KeyPath, int]
    problems: list[str]

    def line(self, path: Sequence[str | int]) -> int:
        """The line of ``path``, else of its nearest enclosing path that has one."""
        key = tuple(path)
        while key and key not in self.lines:
            key = key[:-1]
        return self.lines[key]

    def error(self, path: Sequence[str | int], message: str) -> str:
        """``file:line: key.path: message``, the form every configuration error takes."""
        return _located(self.source, self.line(path), path, message)

    def validate(self, model: type[M]) -> M:
        """``model`` validated from the data (the loading ``problems`` are left to the caller).

        Raises:
            ConfigError: the loading problems and each validation error, with its line.
        """
        try:
            return model.model_validate(self.data)
        except ValidationError as exc:
            details = exc.errors(include_url=False, include_input=False)
            errors = [self._validation_error(each) for each in details]
            raise ConfigError(self.problems + errors) from None

    def _validation_error(self, details: ErrorDetails) -> str:
        # pydantic locates a bad mapping key as (..., key, "[key]"): the key itself names it.
        path = [p for p in details["loc"] if isinstance(p, int | str) and p != "[key]"]
        message = _PLAIN_WORDS.get(details["type"], details["msg"])
        return self.error(path, message.removeprefix("Value error, "))


def read_source(path: Path) -> str:
    """The text of a configuration file (UTF-8).

    Raises:
        ConfigError: the file cannot be read or is not UTF-8.
    """
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot be read ({type(exc).__name__})"]) from None


def load_yaml(text: str, *, source: str) -> YamlDocument:
    """Parse ``text``; ``source`` names it in errors (a file name).

    Raises:
        ConfigError: the text is not YAML, holds an alias, or is not a mapping at the top.
    """
    try:
        root = yaml.compose(text, Loader=_NoAliasLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else 1
        said = ", ".join(part for part in (exc.context, exc.problem) if part)
        what = said if isinstance(exc, _AliasError) else f"not valid YAML: {said}"
        raise ConfigError([f"{source}:{line}: {what}"]) from None
    if not isinstance(root, yaml.MappingNode):
        if root is None:
            line, found = 1, "an empty file"
        else:
            line = root.start_mark.line + 1
            found = "a list" if isinstance(root, yaml.SequenceNode) else "a single value"
        raise ConfigError([f"{source}:{line}: expected key: value settings, found {found}"])
    builder = _Builder(source)
    data = builder.build(root, ())
    return YamlDocument(source, data, builder.lines, builder.problems)


class _AliasError(yaml.MarkedYAMLError):
    """An alias (``*name``): refused so that every value is written, and located, once."""


class _NoAliasLoader(yaml.SafeLoader):
    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            problem = "aliases (*name) are not supported; write the value out"
            raise _AliasError(problem=problem, problem_mark=mark)
        return super().compose_node(parent, index)


class _Builder:
    """Plain values from a composed document, recording lines and problems on the way."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines: dict[KeyPath, int] = {}
        self.problems: list[str] = []
        self._constructor = yaml.SafeLoader("")

    def build(self, node: yaml.Node, path: KeyPath) -> Any:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.CollectionNode) and node.tag not in _PLAIN_COLLECTIONS:
            unknown = f"could not determine a constructor for the tag {node.tag!r}"
            self._problem(self.lines[path], path, f"not a valid value: {unknown}")
            return None
        if isinstance(node, yaml.MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                line = key_node.start_mark.line + 1
                try:
                    key = self._construct(key_node)
                except ValueError:
                    key = None
                if not isinstance(key, str):
                    self._problem(line, path, "a key is text: put it in quotes")
                elif key in result:
                    self._problem(line, (*path, key), "key given twice")
                else:
                    self.lines[(*path, key)] = line
                    result[key] = self.build(value_node, (*path, key))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        try:
            return self._construct(node)
        except ValueError as exc:
            self._problem(node.start_mark.line + 1, path, f"not a valid value: {exc}")
            return None

    def _construct(self, node: yaml.Node) -> Any:
        """The value of a scalar node (or a complex key).

        Raises:
            ValueError: YAML cannot build it: an unsafe or unknown tag, a merge key (``<<``), a
                date or tagged value out of range (``2026-02-30``, ``!!int x``).
        """
        # The safe constructor turns "17:00" into an int (sexagesimal) under YAML 1.1; keep times
        # as text so that "17:00" means 5 pm wherever it is written.
        if (
            isinstance(node, yaml.ScalarNode)
            and node.tag == "tag:yaml.org,2002:int"
            and ":" in node.value
        ):
            return node.value
        try:
            return self._constructor.construct_object(node, deep=True)
        except yaml.MarkedYAMLError as exc:
            raise ValueError(exc.problem) from None

    def _problem(self, line: int, path: KeyPath, message: str) -> None:
        self.problems.append(_located(self.source, line, path, message))


def _located(source: str, line: int, path: Sequence[str | int], message: str) -> str:
    where = _dotted(path)
    return f"{source}:{line}: {where + ': ' if where else ''}{message}"


def _dotted(path: Sequence[str | int]) -> str:
    """``rules[2].when.distance_miles`` for ``("rules", 2, "when", "distance_miles")``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out
