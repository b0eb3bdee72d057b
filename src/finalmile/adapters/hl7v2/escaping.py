"""Encoding characters (MSH-1, MSH-2) and escape sequences (HL7 v2.5 §2.7; v2.7 truncation)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from finalmile.adapters.codes import AdapterCode
from finalmile.errors import InputError

_FORMATTING = re.compile(r"\.(sp|in|ti|sk|br|fi|nf|ce)\s*([+-]?\d*)")
#: More digits than this is past any limit (``int()`` of thousands of digits raises).
_MAX_DIGITS = 9


@dataclass(frozen=True, slots=True)
class Delimiters:
    """The separators of one message: MSH-1 and the characters of MSH-2, in HL7 order."""

    field: str = "|"
    component: str = "^"
    repetition: str = "~"
    escape: str = "\\"
    subcomponent: str = "&"
    truncation: str = ""

    @property
    def encoding_characters(self) -> str:
        """MSH-2 as it is written."""
        return self.component + self.repetition + self.escape + self.subcomponent + self.truncation

    @classmethod
    def from_msh(cls, field: str, encoding_characters: str) -> Delimiters:
        """Validate MSH-1 and MSH-2 (4 characters, or 5 with the v2.7 truncation character).

        Raises:
            InputError: ``MSH-2`` ``invalid_encoding_characters`` when they are missing, repeated,
                alphanumeric or blank.
        """
        chars = field + encoding_characters
        if (
            len(encoding_characters) not in (4, 5)
            or len(set(chars)) != len(chars)
            or any(c.isalnum() or c.isspace() or not c.isprintable() for c in chars)
        ):
            raise InputError(
                "MSH-2 must hold 4 distinct encoding characters (component, repetition, "
                "escape, subcomponent; v2.7+ may add a truncation character), none of them a "
                "letter, digit, blank, control character or the field separator, e.g. '^~\\&'",
                location="MSH-2",
                code=AdapterCode.INVALID_ENCODING_CHARACTERS,
            )
        return cls(field, *encoding_characters)


@lru_cache(maxsize=64)
def sequences(escape: str) -> re.Pattern[str]:
    """The escape sequences of a value whose escape character is ``escape`` (body in group 1)."""
    e = re.escape(escape)
    return re.compile(f"{e}([^{e}\r\n]*){e}")


def expansion(body: str) -> int:
    """Characters the escape with body ``body`` decodes to when it is ``.sp``/``.sk``, else 0."""
    command = _FORMATTING.fullmatch(body)
    if command is None or command.group(1) not in ("sp", "sk"):
        return 0
    return _count(command.group(2))


def _count(number: str) -> int:
    digits = number.lstrip("+-")
    if not digits.isdigit() or not digits.isascii() or number.startswith("-"):
        return 1
    return 10**_MAX_DIGITS if len(digits) > _MAX_DIGITS else max(int(digits), 1)


def unescape(value: str, delimiters: Delimiters, codec: str = "utf-8") -> str:
    r"""Decode the escape sequences of one value.

    ``\F\ \S\ \T\ \R\ \E\`` and ``\P\`` give back the delimiter; ``\Xhh..\`` is hex data decoded
    in the message's ``codec``; ``\H\`` and ``\N\`` (highlighting) are dropped; the formatting
    commands of §2.7.6 become plain text (``.br`` and ``.sp`` new lines, ``.sk`` spaces, the rest
    nothing). Anything else (``\Z..\``, ``\C..\``, ``\M..\``, malformed hex) is left as written.
    """
    d = delimiters
    simple = {
        "F": d.field,
        "S": d.component,
        "T": d.subcomponent,
        "R": d.repetition,
        "E": d.escape,
        "P": d.truncation,
        "H": "",
        "N": "",
    }

    def replace(match: re.Match[str]) -> str:
        body = match.group(1)
        if body in simple and (body != "P" or d.truncation):
            return simple[body]
        if body.startswith("X") and len(body) % 2 == 1:
            try:
                return bytes.fromhex(body[1:]).decode(codec)
            except (ValueError, LookupError):
                return match.group(0)
        command = _FORMATTING.fullmatch(body)
        if command is None:
            return match.group(0)
        name, count = command.group(1), _count(command.group(2))
        if name in ("br", "sp"):
            return "\n" * (1 if name == "br" else count)
        return " " * count if name == "sk" else ""

    return sequences(d.escape).sub(replace, value)


def escape(text: str, delimiters: Delimiters) -> str:
    """Escape free text for an ER7 field; line breaks become spaces (ST fields have none)."""
    d = delimiters
    out = text.replace(d.escape, f"{d.escape}E{d.escape}")
    for char, code in (
        (d.field, "F"),
        (d.component, "S"),
        (d.repetition, "R"),
        (d.subcomponent, "T"),
        (d.truncation, "P"),
    ):
        if char:
            out = out.replace(char, f"{d.escape}{code}{d.escape}")
    return " ".join(out.splitlines())
