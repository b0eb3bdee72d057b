"""Item master files: YAML (``items:`` list) or CSV (a header row naming the fields), every error
reported at its line, all at once, like every other configuration file."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from finalmile.adapters.csv import read_records
from finalmile.config import load_yaml, read_source
from finalmile.errors import ConfigError, InputError
from finalmile.items.entry import ItemEntry
from finalmile.ndc import normalize_ndc

_FIELDS = tuple(ItemEntry.model_fields)


class _ItemFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[ItemEntry]


def load_item_file(path: Path) -> list[ItemEntry]:
    """The entries of ``path`` (``.csv``, else YAML).

    Raises:
        ConfigError: every problem, as ``file:line: where: message``; an NDC listed twice (in any
            layout) is one of them.
    """
    if path.suffix.lower() == ".csv":
        return _csv(path.read_bytes(), source=str(path))
    return _yaml(read_source(path), source=str(path))


def parse_item_yaml(text: str, *, source: str) -> list[ItemEntry]:
    """The entries of an item master YAML ``text``; ``source`` names it in errors.

    Raises:
        ConfigError: every problem, by line.
    """
    return _yaml(text, source=source)


def _yaml(text: str, *, source: str) -> list[ItemEntry]:
    document = load_yaml(text, source=source)
    first: dict[str, int] = {}
    raw = document.data.get("items")
    for index, item in enumerate(raw if isinstance(raw, list) else []):
        key = _key(item.get("ndc") if isinstance(item, dict) else None)
        if key is not None and key in first:
            again = f"NDC {key} is already listed as item {first[key]}"
            document.report(("items", index, "ndc"), again)
        elif key is not None:
            first[key] = index
    parsed = document.validate(_ItemFile)
    document.raise_errors()
    assert parsed is not None
    return parsed.items


def _key(ndc: object) -> str | None:
    """An entry's NDC normalised, or None when it cannot be (validation reports that)."""
    try:
        return normalize_ndc(ndc) if isinstance(ndc, str) else None
    except ValueError:
        return None


def _csv(data: bytes, *, source: str) -> list[ItemEntry]:
    errors: list[str] = []
    entries: list[ItemEntry] = []
    first: dict[str, int] = {}
    try:
        records = list(read_records(io.BytesIO(data), delimiter=",", encoding="utf-8"))
    except InputError as exc:
        raise ConfigError([f"{source}: {exc.location}: {exc}"]) from None
    if not records:
        raise ConfigError([f"{source}: the file is empty; expected a header row"])
    header = [name.strip() for name in records[0].fields]
    unknown = [name for name in header if name not in _FIELDS]
    if unknown:
        errors.append(
            f"{source}:{records[0].line}: unknown columns {', '.join(unknown)}; "
            f"expected some of {', '.join(_FIELDS)}"
        )
    for record in records[1:]:
        if len(record.fields) != len(header):
            errors.append(
                f"{source}:{record.line}: {len(record.fields)} fields; the header has {len(header)}"
            )
            continue
        row: dict[str, Any] = {
            name: value.strip()
            for name, value in zip(header, record.fields, strict=True)
            if name in _FIELDS and value.strip()
        }
        try:
            entry = ItemEntry.model_validate(row)
        except ValidationError as exc:
            for details in exc.errors(include_url=False, include_input=False):
                where = ".".join(str(part) for part in details["loc"])
                message = "required" if details["type"] == "missing" else details["msg"]
                errors.append(
                    f"{source}:{record.line}: {where}: {message.removeprefix('Value error, ')}"
                )
            continue
        if entry.ndc in first:
            again = f"NDC {entry.ndc} is already on line {first[entry.ndc]}"
            errors.append(f"{source}:{record.line}: ndc: {again}")
            continue
        first[entry.ndc] = record.line
        entries.append(entry)
    if errors:
        raise ConfigError(errors)
    return entries
