"""YAML configuration files validated by pydantic, with every error named by file, line and key.

``load_model`` parses with PyYAML's composer (so each value keeps the line it came from), refuses
duplicate keys (PyYAML would silently keep the last), validates with a pydantic model and reports
all problems at once as ``ConfigError``: ``connectors/cpr.yaml line 12 (hl7v2.mapping.storage):
not a valid HL7 path``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from finalmile.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


class YamlDocument:
    """One parsed YAML mapping and the line of every key and value in it."""

    def __init__(self, text: str, name: str) -> None:
        """Parse ``text`` (named ``name`` in errors).

        Raises:
            ConfigError: not YAML, not a mapping at the top, or a key repeated in one mapping.
        """
        self.name = name
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" line {mark.line + 1}" if mark is not None else ""
            problem = getattr(exc, "problem", None) or str(exc)
            raise ConfigError([f"{name}{where}: not valid YAML: {problem}"]) from None
        if not isinstance(node, yaml.MappingNode):
            line = node.start_mark.line + 1 if node is not None else 1
            raise ConfigError([f"{name} line {line}: expected a mapping of settings"])
        self._root = node
        duplicates = list(_duplicate_keys(node, ()))
        if duplicates:
            raise ConfigError(
                [
                    f"{name} line {line} ({_dotted(loc)}): key given twice"
                    for loc, line in duplicates
                ]
            )
        self.data: dict[str, Any] = yaml.SafeLoader(text).get_single_data()

    def line_of(self, loc: Sequence[int | str]) -> int:
        """The line of the deepest node of ``loc`` that exists (1-based)."""
        node: yaml.Node = self._root
        for part in loc:
            child = _child(node, part)
            if child is None:
                break
            node = child
        return node.start_mark.line + 1

    def validate(self, model: type[M], **context: Any) -> M:
        """``model`` validated from the document; every error with its line.

        Raises:
            ConfigError: listing each validation error.
        """
        try:
            return model.model_validate(self.data, context=context or None)
        except ValidationError as exc:
            raise ConfigError(self.errors(exc)) from None

    def errors(self, exc: ValidationError) -> list[str]:
        """Each pydantic error as ``name line N (a.b.c): message``."""
        found = []
        for error in exc.errors(include_url=False, include_input=False):
            # pydantic locates a bad dict key as (..., key, "[key]"): the key itself names it.
            loc = [p for p in error["loc"] if isinstance(p, int | str) and p != "[key]"]
            message = str(error["msg"]).removeprefix("Value error, ")
            found.append(f"{self.name} line {self.line_of(loc)} ({_dotted(loc)}): {message}")
        return found


def load_model(path: Path, model: type[M], *, name: str | None = None, **context: Any) -> M:
    """Read, parse and validate one YAML file (see ``YamlDocument``)."""
    label = name or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{label}: cannot be read ({type(exc).__name__})"]) from None
    return YamlDocument(text, label).validate(model, **context)


def _child(node: yaml.Node, part: int | str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == str(part):
                return value  # type: ignore[no-any-return]
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return node.value[part]  # type: ignore[no-any-return]
    return None


def _duplicate_keys(node: yaml.Node, loc: tuple[int | str, ...]) -> Any:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if key.value in seen:
                yield (*loc, key.value), key.start_mark.line + 1
            seen.add(key.value)
            yield from _duplicate_keys(value, (*loc, key.value))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _duplicate_keys(item, (*loc, index))


def _dotted(loc: Sequence[int | str]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top)"
