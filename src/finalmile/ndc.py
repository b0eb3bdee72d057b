"""National Drug Codes in one form: 11 digits, no dashes (the 5-4-2 billing layout).

A package NDC is printed in one of three 10-digit layouts (4-4-2, 5-3-2, 5-4-1), or already as
5-4-2. Each 10-digit layout becomes 11 digits by a leading zero on its short segment. Ten digits
without dashes cannot be read: which segment is short is unknown.
"""

from __future__ import annotations

import re

_DASHED = re.compile(r"^(\d{4,5})-(\d{3,4})-(\d{1,2})$")
#: Segment lengths of the layouts accepted with dashes.
_LAYOUTS = {(4, 4, 2), (5, 3, 2), (5, 4, 1), (5, 4, 2)}


def normalize_ndc(text: str) -> str:
    """``text`` as 11 digits without dashes.

    Accepts ``1234-5678-90``, ``12345-678-90``, ``12345-6789-0``, ``12345-6789-01`` and
    ``12345678901`` (surrounding spaces ignored).

    Raises:
        ValueError: any other form, with a message naming the accepted layouts.
    """
    value = text.strip()
    if len(value) == 11 and value.isascii() and value.isdigit():
        return value
    match = _DASHED.match(value)
    if match is None or tuple(len(part) for part in match.groups()) not in _LAYOUTS:
        raise ValueError(
            "not an NDC: expected 11 digits or a dashed layout 4-4-2, 5-3-2, 5-4-1 or 5-4-2"
        )
    labeler, product, package = match.groups()
    return labeler.zfill(5) + product.zfill(4) + package.zfill(2)


def format_ndc(ndc: str) -> str:
    """An 11-digit NDC shown as 5-4-2 (``12345-6789-01``) for people."""
    return f"{ndc[:5]}-{ndc[5:9]}-{ndc[9:]}"
