"""Identifiers (order ids, MRNs) are printable text: a control character is refused, located.

An order id travels into HL7 ACKs, CSV write-back, file names and logs; ``INJ|PID\\rZZZ`` would
split a segment there. Lone surrogates (bytes the file's encoding could not decode) are refused
the same way: they cannot be encoded back.
"""

from __future__ import annotations

import unicodedata

from finalmile.errors import InputError
from finalmile.mapping.codes import MappingCode


def check_identifier(value: str, location: str) -> str:
    """``value`` unchanged when it holds no control character (Unicode Cc) or surrogate (Cs).

    Raises:
        InputError: ``control_character`` at ``location``; the message never quotes the value.
    """
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in value):
        raise InputError(
            "an identifier may not hold control characters or undecodable bytes",
            location=location,
            code=MappingCode.CONTROL_CHARACTER,
        )
    return value
