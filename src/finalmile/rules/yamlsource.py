"""Read YAML into plain values while remembering the line of every key and list entry.

Rule sets and sites are validated after loading; each error names the line the bad value sits on,
so a pharmacy IT person can go straight to it. Only YAML's safe types are built (no tags).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from finalmile.errors import ConfigError

#: A location in a loaded document: keys and list indexes from the root.
Path = tuple[str | int, ...]


@dataclass
class YamlDocument:
    """A loaded document: its data, the 1-based line of each path in it, and ``problems`` found
    while loading (repeated or non-text keys) for the caller to report with its own errors."""

    source: str
    data: Any
    lines: dict[Path, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def line(self, path: Sequence[str | int]) -> int:
        """The line of ``path``, else of its nearest enclosing path that has one."""
        key = tuple(path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), 1)

    def error(self, path: Sequence[str | int], message: str) -> str:
        """``file:line: path: message``, the form every config error takes."""
        where = dotted(path)
        return f"{self.source}:{self.line(path)}: {where + ': ' if where else ''}{message}"


def dotted(path: Sequence[str | int]) -> str:
    """``rules[2].when.distance_miles`` for ``("rules", 2, "when", "distance_miles")``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def load_yaml(text: str, *, source: str) -> YamlDocument:
    """Parse ``text``; ``source`` names it in errors (a file name).

    Raises:
        ConfigError: the text is not YAML.
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ConfigError([f"{source}:{line}: {problem}"]) from None
    document = YamlDocument(source=source, data=None)
    if node is None:
        document.data = None
        return document
    constructor = yaml.SafeLoader("")
    document.data = _build(node, (), document, document.problems, constructor)
    return document


def _build(
    node: yaml.Node,
    path: Path,
    document: YamlDocument,
    errors: list[str],
    constructor: yaml.SafeLoader,
) -> Any:
    document.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node, constructor)
            if not isinstance(key, str):
                errors.append(f"{document.source}:{key_node.start_mark.line + 1}: keys are text")
                continue
            if key in result:
                line = key_node.start_mark.line + 1
                errors.append(f"{document.source}:{line}: {dotted((*path, key))}: appears twice")
                continue
            document.lines[(*path, key)] = key_node.start_mark.line + 1
            result[key] = _build(value_node, (*path, key), document, errors, constructor)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(item, (*path, i), document, errors, constructor)
            for i, item in enumerate(node.value)
        ]
    return _scalar(node, constructor)


def _scalar(node: yaml.Node, constructor: yaml.SafeLoader) -> Any:
    # The safe constructor turns "17:00" into an int (sexagesimal) under YAML 1.1; keep times
    # as text so that "17:00" means 5 pm wherever it is written.
    if (
        isinstance(node, yaml.ScalarNode)
        and node.tag == "tag:yaml.org,2002:int"
        and ":" in node.value
    ):
        return node.value
    return constructor.construct_object(node, deep=True)
