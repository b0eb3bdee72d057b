"""YAML configuration files: parsed safely, the line of every key kept, every error in one form.

Connector profiles, sites and rule sets all load through ``load_yaml``. It builds plain values from
YAML's safe types only, keeps times such as ``17:00`` as text, and refuses what would hide a
mistake: a key given twice (plain YAML keeps the last), a key that is not text, an alias
(``*name``, whose errors would point at its anchor), a tag (``!!python/...``, ``!!binary``) and a
file that is not a mapping at the top.
Every error reads ``file:line: key.path: message``::

    connectors/pms.yaml:12: hl7v2.mapping.storage: 'ZRX-four' is not an HL7 path like 'PID-5'

A document collects the problems of its file, the loader's and its reader's, and lists each once,
in line order (problems on one line in the order found), so that a file can be fixed top to
bottom. A value the loader could not build (``2026-02-30``) is kept as None and its one problem
stands for it: what a reader would then say about that None is not listed again.
"""

from __future__ import annotations

from collections.abc import Sequence
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
#: Tags of plain mappings, lists and values; any other (``!!set``, ``!!binary``,
#: ``!!python/...``) is refused.
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_PLAIN_SCALARS = tuple(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")
)


class YamlDocument:
    """A loaded file: its top-level mapping, the 1-based line of each key path in it, and the
    problems found in it so far, by the loader and then by whoever reads it (``report``)."""

    def __init__(self, source: str, data: dict[str, Any], built: _Builder) -> None:
        self.source = source
        self.data = data
        self.lines = built.lines
        self._unbuilt = frozenset(built.unbuilt)
        #: Paths whose value is unusable: values the loader could not build, and every path a
        #: problem has been reported at (shown or not).
        self._failed = set(built.unbuilt)
        #: (line, error text) in the order found; a dict keeps each error once.
        self._found = dict.fromkeys(built.problems)

    def line(self, path: Sequence[str | int]) -> int:
        """The line of ``path``, else of its nearest enclosing path that has one."""
        key = tuple(path)
        while key and key not in self.lines:
            key = key[:-1]
        return self.lines[key]

    def report(
        self,
        path: Sequence[str | int],
        message: str,
        *,
        on_key: bool = False,
        follows: Sequence[str | int] | None = None,
    ) -> None:
        """Record a problem at ``path`` as ``file:line: key.path: message``.

        It is not listed when it would repeat another: when the value at ``path`` (or a value
        holding it) could not be built, the loader already said so, unless the problem is about
        the key itself (``on_key``, e.g. an unknown key); and when it ``follows`` from the value
        at another path (a reference to a setting) that already has a problem. Listed or not,
        ``failed`` sees it.
        """
        key = tuple(path)
        hidden = (not on_key and self._within(key, self._unbuilt)) or (
            follows is not None and self._near_failure(tuple(follows))
        )
        self._failed.add(key)
        if not hidden:
            line = self.line(key)
            self._found.setdefault((line, _located(self.source, line, key, message)))

    def failed(self, path: Sequence[str | int]) -> bool:
        """Whether the value at ``path``, or any value inside it, has a problem."""
        key = tuple(path)
        return any(found[: len(key)] == key for found in self._failed)

    def text_at(self, path: Sequence[str | int]) -> str | None:
        """The text written at ``path``, unless it is absent, not text or has a problem: for
        checks that need not wait for the whole file to be valid (a name against the file's)."""
        value: Any = self.data
        for part in path:
            if isinstance(value, dict) and isinstance(part, str):
                value = value.get(part)
            elif isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value):
                value = value[part]
            else:
                return None
        return value if isinstance(value, str) and not self.failed(path) else None

    def validate(self, model: type[M]) -> M | None:
        """``model`` validated from the data, or None with each validation error reported."""
        try:
            return model.model_validate(self.data)
        except ValidationError as exc:
            for details in exc.errors(include_url=False, include_input=False):
                self._report_validation(details)
            return None

    @property
    def errors(self) -> list[str]:
        """Every problem reported, once each, by line (problems on one line in the order found)."""
        return [text for _, text in sorted(self._found, key=lambda found: found[0])]

    def raise_errors(self) -> None:
        """Raise ``ConfigError`` listing ``errors``, if there are any."""
        if self._found:
            raise ConfigError(self.errors)

    def _report_validation(self, details: ErrorDetails) -> None:
        # pydantic locates a bad mapping key as (..., key, "[key]"): the key itself names it.
        loc = details["loc"]
        path = [p for p in loc if isinstance(p, int | str) and p != "[key]"]
        message = _PLAIN_WORDS.get(details["type"], details["msg"])
        on_key = details["type"] == "extra_forbidden" or "[key]" in loc
        self.report(path, message.removeprefix("Value error, "), on_key=on_key)

    @staticmethod
    def _within(path: KeyPath, paths: frozenset[KeyPath]) -> bool:
        return any(path[: len(found)] == found for found in paths)

    def _near_failure(self, path: KeyPath) -> bool:
        """A problem at ``path``, inside it, or at a value holding it (the whole file aside)."""
        return self.failed(path) or any(
            found and path[: len(found)] == found for found in self._failed
        )


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
    return YamlDocument(source, data, builder)


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
    """Plain values from a composed document, recording lines, problems and the paths of values
    it could not build (left as None) on the way."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines: dict[KeyPath, int] = {}
        self.problems: list[tuple[int, str]] = []
        self.unbuilt: set[KeyPath] = set()
        self._constructor = yaml.SafeLoader("")

    def build(self, node: yaml.Node, path: KeyPath) -> Any:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode) and node.tag == _MAP:
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
        if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        try:
            return self._construct(node)
        except ValueError as exc:
            self._problem(self.lines[path], path, f"not a valid value: {exc}")
            self.unbuilt.add(path)
            return None

    def _construct(self, node: yaml.Node) -> Any:
        """The value of a scalar node (or a complex key).

        Raises:
            ValueError: YAML cannot build it: a tag other than the plain ones (``!!set``, a
                merge key ``<<``), a date or tagged value out of range or malformed
                (``2026-02-30``, ``!!int x``, ``!!bool maybe``).
        """
        if not isinstance(node, yaml.ScalarNode) or node.tag not in _PLAIN_SCALARS:
            raise ValueError(f"could not determine a constructor for the tag {node.tag!r}")
        # The safe constructor turns "17:00" into an int (sexagesimal) under YAML 1.1; keep times
        # as text so that "17:00" means 5 pm wherever it is written.
        if node.tag == "tag:yaml.org,2002:int" and ":" in node.value:
            return node.value
        try:
            return self._constructor.construct_object(node, deep=True)
        except yaml.MarkedYAMLError as exc:
            raise ValueError(exc.problem) from None
        except (KeyError, AttributeError, TypeError):  # e.g. !!bool maybe, !!timestamp soon
            kind = node.tag.rpartition(":")[2]
            raise ValueError(f"{node.value!r} is not a valid {kind}") from None

    def _problem(self, line: int, path: KeyPath, message: str) -> None:
        self.problems.append((line, _located(self.source, line, path, message)))


def _located(source: str, line: int, path: Sequence[str | int], message: str) -> str:
    where = _dotted(path)
    return f"{source}:{line}: {where + ': ' if where else ''}{message}"


def _dotted(path: Sequence[str | int]) -> str:
    """``rules[2].when.distance_miles`` for ``("rules", 2, "when", "distance_miles")``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out
