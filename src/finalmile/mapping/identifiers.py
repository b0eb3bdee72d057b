"""Identifiers (order ids, placer numbers, control ids, MRNs) carry no control characters.

An identifier ends up in HL7 fields, CSV cells, file names, log lines and HTTP headers; a line
break or a NUL inside one (``INJ|PID\\rZZZ``, decoded from an escape or a cell) would split or
forge what it is written into. Lone surrogates (bytes the file's encoding could not decode) are
refused the same way: they cannot be encoded back. Every format's mapping checks its identifiers
with :func:`check_identifier`, which names the field and never quotes the value.
"""

from __future__ import annotations

import unicodedata

from finalmile.errors import InputError
from finalmile.mapping.codes import MappingCode


def check_identifier(value: str, *, location: str, what: str) -> str:
    """``value`` unchanged when it holds no control character (Unicode Cc) or surrogate (Cs).

    Args:
        location: where the value was read (``ORC-2``, ``line 4, column order_id``, a FHIR path).
        what: a name for it in the message (``order id``, ``medical record number``).

    Raises:
        InputError: ``control_character`` at ``location``, saying which character position.
    """
    for position, char in enumerate(value, start=1):
        category = unicodedata.category(char)
        if category in ("Cc", "Cs"):
            kind = "a control character" if category == "Cc" else "an undecodable byte"
            raise InputError(
                f"the {what} holds {kind} (U+{ord(char):04X}) at position {position}; "
                "identifiers must be printable text",
                location=location,
                code=MappingCode.CONTROL_CHARACTER,
            )
    return value
