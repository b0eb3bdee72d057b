"""A lean HL7 v2 ER7 parser: segments split into fields up front, the rest on access.

Segments end with ``\\r``, ``\\n`` or ``\\r\\n`` (mixed and blank lines are fine). The
field separator is MSH-1 (the character after ``MSH``) and the encoding characters are MSH-2, so a
message may use any delimiters (HL7 v2.5 §2.5.4, §2.15.9.1-2). Field numbers follow HL7:
``segment.value(3)`` is PID-3, and for MSH the separator itself is MSH-1, so MSH-9 is the ninth
field as HL7 counts it.
Values come back with their escape sequences decoded (§2.7); an empty value and the HL7 null ``""``
read as ``None``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

from finalmile.adapters.codes import AdapterCode
from finalmile.adapters.hl7v2.charset import codec_for, decode
from finalmile.adapters.hl7v2.escaping import Delimiters, unescape
from finalmile.adapters.hl7v2.header import MessageHeader, header_from_fields, read_header
from finalmile.adapters.hl7v2.limits import DEFAULT_LIMITS, Hl7Limits, check_limits
from finalmile.errors import InputError

__all__ = [
    "Message",
    "MessageHeader",
    "Path",
    "Segment",
    "SegmentGroup",
    "decode",
    "parse",
    "parse_path",
    "read_header",
]

_SEGMENT_ID = re.compile(r"[A-Z0-9]{3}")
_PATH = re.compile(r"([A-Z0-9]{3})-([1-9]\d*)(?:\.([1-9]\d*)(?:\.([1-9]\d*))?)?")


class Path(NamedTuple):
    """A value's address, ``SEG-field[.component[.subcomponent]]``, 1-based as in HL7."""

    segment: str
    field: int
    component: int | None = None
    subcomponent: int | None = None

    def __str__(self) -> str:
        parts = [f"{self.segment}-{self.field}", self.component, self.subcomponent]
        return ".".join(str(p) for p in parts if p is not None)

    def first_component(self) -> Path:
        """This path, narrowed to component 1 when it names a whole field (e.g. a TS's DTM)."""
        return self if self.component is not None else self._replace(component=1)


@lru_cache(maxsize=1024)
def parse_path(text: str) -> Path:
    """Parse ``"PID-5.1"``, ``"RXE-8.9.3"``... into a :class:`Path`.

    Raises:
        ValueError: when the text is not a path.
    """
    match = _PATH.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not an HL7 path like 'PID-5' or 'RXE-8.9.3'")
    seg, field, comp, sub = match.groups()
    return Path(seg, int(field), int(comp) if comp else None, int(sub) if sub else None)


class Segment:
    """One segment; ``fields[n]`` is field n as HL7 numbers it (``fields[0]`` is the segment ID).

    A field is split into repetitions and components the first time it is read.
    """

    __slots__ = ("_codec", "_split", "delimiters", "fields", "name")

    def __init__(self, fields: list[str], delimiters: Delimiters, codec: str) -> None:
        self.name = fields[0]
        self.fields = fields
        self.delimiters = delimiters
        self._codec = codec
        self._split: dict[int, list[list[str]]] = {}

    def __repr__(self) -> str:
        return f"<Segment {self.name}>"

    def raw(self, field: int) -> str:
        """Field ``field`` exactly as written in ER7 (all repetitions, escapes kept)."""
        return self.fields[field] if field < len(self.fields) else ""

    def repetition_count(self, field: int) -> int:
        """How many repetitions field ``field`` holds (0 when empty)."""
        raw = self.raw(field)
        return raw.count(self.delimiters.repetition) + 1 if raw else 0

    def value(
        self,
        field: int,
        component: int | None = None,
        subcomponent: int | None = None,
        *,
        repetition: int = 1,
    ) -> str | None:
        """The decoded text of a field, component or subcomponent of one repetition.

        A field or component asked for as a whole keeps its inner delimiters literally.
        """
        fields = self.fields
        if field >= len(fields):
            return None
        raw = fields[field]
        if not raw:
            return None
        if field <= 2 and self.name == "MSH":
            return raw
        d = self.delimiters
        reps = self._split.get(field) or self._reps(field)
        if repetition > len(reps):
            return None
        components = reps[repetition - 1]
        if component is None:
            raw = d.component.join(components)
        elif component > len(components):
            return None
        else:
            raw = components[component - 1]
            if subcomponent is not None and (subcomponent > 1 or d.subcomponent in raw):
                subs = raw.split(d.subcomponent)
                raw = subs[subcomponent - 1] if subcomponent <= len(subs) else ""
        if not raw or raw == '""':
            return None
        if d.escape in raw:
            return unescape(raw, d, self._codec) or None
        return raw

    def components(self, field: int, *, repetition: int = 1) -> list[str | None]:
        """The decoded components of one repetition (subcomponent separators kept literally)."""
        if field >= len(self.fields) or not self.fields[field]:
            return []
        reps = self._split.get(field) or self._reps(field)
        if repetition > len(reps):
            return []
        d, codec = self.delimiters, self._codec
        return [
            None if not c or c == '""' else (unescape(c, d, codec) or None) if d.escape in c else c
            for c in reps[repetition - 1]
        ]

    def _reps(self, field: int) -> list[list[str]]:
        d = self.delimiters
        reps = [r.split(d.component) for r in self.fields[field].split(d.repetition)]
        self._split[field] = reps
        return reps

    def get(self, path: Path, *, repetition: int = 1) -> str | None:
        """The value at ``path`` (whose segment name is not checked) in this segment."""
        return self.value(path.field, path.component, path.subcomponent, repetition=repetition)


class SegmentGroup:
    """An ordered run of segments: a whole message, or one ORC group."""

    __slots__ = ("_index", "_segments")

    def __init__(self, segments: list[Segment]) -> None:
        self._segments = segments
        self._index: dict[str, list[Segment]] | None = None

    def __iter__(self) -> Iterator[Segment]:
        return iter(self._segments)

    def __len__(self) -> int:
        return len(self._segments)

    def segments(self, name: str) -> list[Segment]:
        """Every segment with ID ``name``, in order."""
        return list(self._by_name().get(name, ()))

    def segment(self, name: str) -> Segment | None:
        """The first segment with ID ``name``."""
        found = self._by_name().get(name)
        return found[0] if found else None

    def _by_name(self) -> dict[str, list[Segment]]:
        if self._index is None:
            self._index = {}
            for s in self._segments:
                self._index.setdefault(s.name, []).append(s)
        return self._index

    def get(self, path: str | Path, *, repetition: int = 1) -> str | None:
        """The value at ``path`` (``"PID-5.1"``) in the first segment it names."""
        where = parse_path(path) if isinstance(path, str) else path
        segment = self.segment(where.segment)
        return None if segment is None else segment.get(where, repetition=repetition)


class Message(SegmentGroup):
    """A parsed message: its segments, its MSH header and its ORC groups."""

    __slots__ = ("_header", "codec", "delimiters")

    def __init__(self, segments: list[Segment], delimiters: Delimiters, codec: str) -> None:
        super().__init__(segments)
        self.delimiters = delimiters
        self.codec = codec
        self._header: MessageHeader | None = None

    @property
    def header(self) -> MessageHeader:
        """The MSH segment's addressing and control fields."""
        if self._header is None:
            self._header = header_from_fields(self._segments[0].fields, self.delimiters)
        return self._header

    @property
    def preamble(self) -> SegmentGroup:
        """The message-level segments: those before the first ORC."""
        index = next((i for i, s in enumerate(self._segments) if s.name == "ORC"), len(self))
        return SegmentGroup(self._segments[:index])

    @property
    def order_groups(self) -> list[SegmentGroup]:
        """One group per ORC: the ORC and every segment up to the next ORC."""
        groups: list[SegmentGroup] = []
        current: list[Segment] | None = None
        for s in self._segments:
            if s.name == "ORC":
                current = [s]
                groups.append(SegmentGroup(current))
            elif current is not None:
                current.append(s)
        return groups


def parse(
    text: str, *, fallback_charset: str = "utf-8", limits: Hl7Limits = DEFAULT_LIMITS
) -> Message:
    """Parse one ER7 message.

    Args:
        text: the decoded message (see :func:`decode`).
        fallback_charset: the character set ``\\X..\\`` hex escapes are decoded in when MSH-18 is
            empty or unknown.
        limits: segments, repetitions and escape expansion the message may hold at most.

    Raises:
        InputError: ``MSH`` ``missing_msh`` when the first segment is not MSH, ``MSH-2``
            ``invalid_encoding_characters``, ``segment N`` ``invalid_segment_id``, and the
            codes of :func:`check_limits`.
    """
    if "\n" in text:
        text = text.replace("\r\n", "\r").replace("\n", "\r")
    lines = [line for line in text.lstrip("\ufeff").split("\r") if line]
    first = lines[0] if lines else ""
    if not first.startswith("MSH") or len(first) < 8:
        raise InputError(
            "the message must start with an MSH segment (e.g. 'MSH|^~\\&|...')",
            location="MSH",
            code=AdapterCode.MISSING_MSH,
        )
    sep = first[3]
    msh = first.split(sep)
    delimiters = Delimiters.from_msh(sep, msh[1])
    check_limits(lines, delimiters, limits)
    msh.insert(1, sep)
    charset = msh[18].split(delimiters.repetition, 1)[0] if len(msh) > 18 else ""
    codec = (
        (codec_for(charset) if charset else None) or codec_for(fallback_charset) or fallback_charset
    )
    segments = [Segment(msh, delimiters, codec)]
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split(sep)
        if not _SEGMENT_ID.fullmatch(fields[0]):
            raise InputError(
                f"segment {number} does not start with a segment ID of 3 upper-case letters or "
                f"digits followed by the field separator {sep!r}",
                location=f"segment {number}",
                code=AdapterCode.INVALID_SEGMENT_ID,
            )
        segments.append(Segment(fields, delimiters, codec))
    return Message(segments, delimiters, codec)
