"""Canonical fields re-pointed to HL7 v2 paths: where each one is read and how its text converts.

A path is read in the order group's segment of that name, else in the message's first one (item
fields naming the group's item segment, RXE, RXD or RXO, are read in each item's own segment). A
path naming a whole field reads its first component, but ``instructions`` (free text) reads whole.
Values get the default profile's conversions; errors name the configured path, never the value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from finalmile.adapters.hl7v2 import Message, Path, SegmentGroup, parse_path
from finalmile.canonical import StorageClass
from finalmile.errors import ErrorCode, InputError
from finalmile.mapping.codes import MappingCode
from finalmile.mapping.country import to_alpha2
from finalmile.mapping.hl7_types import birth_date
from finalmile.mapping.phone import to_e164


@dataclass(frozen=True, slots=True)
class Source:
    """Where one canonical field is read; ``label`` is the path as configured, for errors."""

    path: Path
    label: str


@dataclass(frozen=True, slots=True)
class Hl7Fields:
    """A profile's field paths, compiled once: the re-pointed ones grouped by the part of the order
    they fill (``patient``: ``{"mrn": Source}``...) and the four delivery fields, always paths."""

    order_id: Source | None
    patient: Mapping[str, Source]
    ship_to: Mapping[str, Source]
    item: Mapping[str, Source]
    storage: Source
    needed_by: Source
    signature: Source
    instructions: Source


def source(text: str, *, whole: bool = False) -> Source:
    """A configured path; a whole field narrows to its first component unless ``whole``."""
    path = parse_path(text)
    return Source(path if whole else path.first_component(), str(path))


def compile_fields(fields: Mapping[str, str], delivery: Mapping[str, str]) -> Hl7Fields:
    """Group ``fields`` (canonical name -> path); ``delivery`` gives the delivery paths the
    profile's own keys set (``needed_by``, ``item.storage``, ``requires_signature``,
    ``instructions``), which ``fields`` overrides."""
    paths = {**delivery, **fields}

    def part(prefix: str) -> dict[str, Source]:
        return {
            name.removeprefix(prefix): source(text)
            for name, text in fields.items()
            if name.startswith(prefix) and name != "item.storage"
        }

    return Hl7Fields(
        order_id=source(fields["order_id"]) if "order_id" in fields else None,
        patient=part("patient."),
        ship_to=part("ship_to."),
        item=part("item."),
        storage=source(paths["item.storage"]),
        needed_by=source(paths["needed_by"]),
        signature=source(paths["requires_signature"]),
        instructions=source(paths["instructions"], whole=True),
    )


def lookup(message: Message, group: SegmentGroup, where: Source) -> str | None:
    """The value at ``where`` in the group's segment of that name, else the message's first one."""
    name = where.path.segment
    segment = group.segment(name) or message.segment(name)
    return None if segment is None else segment.get(where.path)


def text(value: str | None) -> str | None:
    """Trimmed text; empty is None."""
    return (value or "").strip() or None


def convert(name: str, value: str | None, where: Source) -> Any:
    """A re-pointed patient or ship-to value as the default profile reads that field."""
    trimmed = text(value)
    if name == "birth_date":
        return birth_date(trimmed, where.label) if trimmed else None
    if name == "phone":
        return to_e164(trimmed) if trimmed else None
    if name == "country":
        return to_alpha2(trimmed)
    return trimmed


def read(message: Message, group: SegmentGroup, sources: Mapping[str, Source]) -> dict[str, Any]:
    """Each re-pointed field of one part, converted."""
    return {
        name: convert(name, lookup(message, group, where), where) for name, where in sources.items()
    }


def storage_class(
    code: str | None, where: Source, codes: Mapping[str, StorageClass]
) -> StorageClass | None:
    """The storage class of a code (exact, else upper-cased); None (unknown) without a code:
    intake then asks the item master and the connector's ``default_storage``.

    Raises:
        InputError: ``unknown_code`` at the path.
    """
    if code is None or not code.strip():
        return None
    code = code.strip()
    storage = codes.get(code) or codes.get(code.upper())
    if storage is None:
        raise InputError(
            f"{where.label}: the storage code is unknown; expected one of "
            f"{', '.join(sorted(codes))}",
            location=where.label,
            code=MappingCode.UNKNOWN_CODE,
        )
    return storage


def required(where: Source, what: str) -> InputError:
    """The error for a re-pointed required field that is empty."""
    return InputError(
        f"{where.label} ({what}) is required", location=where.label, code=ErrorCode.REQUIRED
    )
