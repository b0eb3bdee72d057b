"""A small FHIRPath subset for connector profiles, compiled once and evaluated on resource JSON.

Grammar: a root type, then steps: ``.element`` (a JSON element name), ``[n]`` (the n-th item of
the collection so far, 0-based), ``.extension('url')`` (the extensions with that url) and
``.where(element='value')`` (the items whose child element equals the text). The first value of
the result wins. Example: ``Patient.identifier.where(system='urn:oid:1.2.3').value``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

ROOTS = ("MedicationDispense", "Patient", "Location", "Medication", "Task")
_NAME = r"[A-Za-z][A-Za-z0-9_]*"
_ROOT = re.compile(rf"({_NAME})")
_STEP = re.compile(
    rf"""\.extension\('(?P<url>[^']+)'\)
    |\.where\(\s*(?P<element>{_NAME})\s*=\s*'(?P<equals>[^']*)'\s*\)
    |\.(?P<name>{_NAME})\b(?!\()
    |\[(?P<index>\d+)\]""",
    re.VERBOSE,
)
_SUPPORTED = "Root.element, [n], .extension('url'), .where(element='value')"


@dataclass(frozen=True, slots=True)
class Step:
    """One step: a child ``element`` (filtered to ``url`` for extensions), a ``where`` filter
    (``element`` equals ``equals``) or an ``index``."""

    element: str | None = None
    url: str | None = None
    equals: str | None = None
    index: int | None = None


@dataclass(frozen=True, slots=True)
class FhirPath:
    """A compiled path: its text, root type and steps."""

    text: str
    root: str
    steps: tuple[Step, ...]

    def unresolved(self, located: str) -> str:
        """The path with its root replaced by where that resource sits (for errors)."""
        return located + self.text[len(self.root) :]


def compile_path(text: str) -> FhirPath:
    """Parse a path of the supported subset.

    Raises:
        ValueError: an unknown root or unsupported syntax, naming where it starts.
    """
    text = text.strip()
    root = _ROOT.match(text)
    if root is None or root.group(1) not in ROOTS:
        raise ValueError(f"{text!r} must start with one of {', '.join(ROOTS)}")
    steps: list[Step] = []
    position = root.end()
    while position < len(text):
        match = _STEP.match(text, position)
        if match is None:
            raise ValueError(
                f"{text!r}: unsupported FHIRPath at {text[position:]!r}; supported: {_SUPPORTED}"
            )
        if match["url"] is not None:
            steps.append(Step(element="extension", url=match["url"]))
        elif match["element"] is not None:
            steps.append(Step(element=match["element"], equals=match["equals"]))
        elif match["name"] is not None:
            steps.append(Step(element=match["name"]))
        else:
            steps.append(Step(index=int(match["index"])))
        position = match.end()
    if not steps:
        raise ValueError(f"{text!r} names a whole resource; name an element of it")
    return FhirPath(text, root.group(1), tuple(steps))


def evaluate(path: FhirPath, resource: dict[str, Any], located: str) -> tuple[Any, str] | None:
    """The first value ``path`` selects in ``resource`` (the root's JSON, sitting at ``located``)
    and its concrete location (``Bundle.entry[0].resource.extension[2].valueDateTime``)."""
    items: list[tuple[Any, str]] = [(resource, located)]
    for step in path.steps:
        if step.index is not None:
            items = items[step.index : step.index + 1]
        elif step.equals is not None:
            items = [
                (node, where)
                for node, where in items
                if isinstance(node, dict) and node.get(step.element) == step.equals
            ]
        else:
            items = _children(items, step.element or "", step.url)
        if not items:
            return None
    return items[0]


def _children(items: list[tuple[Any, str]], element: str, url: str | None) -> list[tuple[Any, str]]:
    found: list[tuple[Any, str]] = []
    for node, where in items:
        value = node.get(element) if isinstance(node, dict) else None
        if isinstance(value, list):
            found.extend(
                (item, f"{where}.{element}[{i}]")
                for i, item in enumerate(value)
                if url is None or (isinstance(item, dict) and item.get("url") == url)
            )
        elif value is not None:
            found.append((value, f"{where}.{element}"))
    return found
