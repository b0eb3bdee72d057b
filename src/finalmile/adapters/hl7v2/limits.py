"""Bounds on the work one ER7 message may ask for, checked before any value is decoded.

The formatting escapes of HL7 v2.5 §2.7.6 expand: ``\\.sp300000000\\`` is 15 bytes that decode to
300 million line breaks, and ``\\.sk N\\`` to N spaces. :func:`check_limits` adds up what every
``.sp`` and ``.sk`` would add, per field and per message, and counts segments and repetitions, so
a message past a limit is refused (``AE`` naming the field) without allocating its expansion.
"""

from __future__ import annotations

from dataclasses import dataclass

from finalmile.adapters.codes import AdapterCode
from finalmile.adapters.hl7v2.escaping import Delimiters, expansion, sequences
from finalmile.errors import InputError


@dataclass(frozen=True, slots=True)
class Hl7Limits:
    """The most one message may hold; each is a setting (``FINALMILE_HL7_...``)."""

    max_segments: int = 5_000
    max_repetitions: int = 1_000
    max_field_expansion: int = 65_536
    max_message_expansion: int = 262_144


DEFAULT_LIMITS = Hl7Limits()


def check_limits(lines: list[str], delimiters: Delimiters, limits: Hl7Limits) -> None:
    """Refuse a message (split into segment lines) whose segments, repetitions or escapes exceed
    ``limits``.

    Raises:
        InputError: ``too_many_segments`` (at the first segment past the limit),
            ``too_many_repetitions`` or ``escape_too_large`` (at the field, e.g. ``OBX-5``).
    """
    if len(lines) > limits.max_segments:
        raise InputError(
            f"the message has more than {limits.max_segments} segments",
            location=f"segment {limits.max_segments + 1}",
            code=AdapterCode.TOO_MANY_SEGMENTS,
        )
    d = delimiters
    pattern = sequences(d.escape)
    total = 0
    for line in lines:
        repeats = line.count(d.repetition) >= limits.max_repetitions
        escapes = d.escape in line and "." in line
        if not (repeats or escapes):
            continue
        fields = line.split(d.field)
        shift = 1 if fields[0] == "MSH" else 0  # MSH-1 is the separator itself
        for number, value in enumerate(fields[1:], start=1 + shift):
            where = f"{fields[0][:3]}-{number}"
            if repeats and value.count(d.repetition) >= limits.max_repetitions:
                raise InputError(
                    f"{where} has more than {limits.max_repetitions} repetitions",
                    location=where,
                    code=AdapterCode.TOO_MANY_REPETITIONS,
                )
            if not escapes or d.escape not in value:
                continue
            added = sum(expansion(m.group(1)) for m in pattern.finditer(value))
            total += added
            if added > limits.max_field_expansion:
                raise _too_large(where, "the field", limits.max_field_expansion)
            if total > limits.max_message_expansion:
                raise _too_large(where, "the message", limits.max_message_expansion)


def _too_large(where: str, scope: str, limit: int) -> InputError:
    return InputError(
        f"formatting escapes (.sp, .sk) in {where} would add more than {limit} characters to "
        f"{scope}",
        location=where,
        code=AdapterCode.ESCAPE_TOO_LARGE,
    )
