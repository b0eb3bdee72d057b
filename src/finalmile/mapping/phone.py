"""Telephone numbers to E.164 (ITU-T E.164), for the North American Numbering Plan and '+' input."""

from __future__ import annotations

import re

_EXTENSION = re.compile(r"[A-Za-z]")
_NOT_DIGIT = re.compile(r"[^0-9]")
_NANP = re.compile(r"1?([2-9]\d{2}[2-9]\d{6})")


def to_e164(text: str, *, country_code: str = "") -> str:
    """Normalize a phone number; input that cannot be normalized comes back as given (trimmed).

    Ten NANP digits (or eleven with the leading 1) become ``+1XXXXXXXXXX``; a number written with a
    leading ``+`` or a non-NANP ``country_code`` keeps its digits behind ``+`` when it has 8 to 15.
    Letters end the number: HL7's XTN.1 writes extension, beeper and comment as ``X``, ``B``, ``C``.
    """
    given = text.strip()
    number = _EXTENSION.split(given, maxsplit=1)[0]
    digits = _NOT_DIGIT.sub("", number)
    country = _NOT_DIGIT.sub("", country_code)
    international = number.lstrip().startswith("+")
    if country and country != "1":
        international, digits = True, country + digits
    if not international:
        nanp = _NANP.fullmatch(digits)
        return f"+1{nanp.group(1)}" if nanp else given
    if digits.startswith("1"):
        nanp = _NANP.fullmatch(digits)
        return f"+1{nanp.group(1)}" if nanp else given
    return f"+{digits}" if 8 <= len(digits) <= 15 else given
