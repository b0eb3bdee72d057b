"""Product identification of an item: the NDC in one form, any other code, and a text.

The canonical ``ndc`` is the 11-digit HIPAA form without dashes (5-4-2: labeler, product,
package). Senders write the 10-digit FDA layouts with dashes (4-4-2, 5-3-2, 5-4-1), the 11-digit
form with or without dashes; each is padded with one leading zero in the short part. A 10-digit
NDC without dashes is ambiguous (which part is short?) and rejected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from finalmile.errors import InputError

NDC_SYSTEM = "http://hl7.org/fhir/sid/ndc"
# HL7 Table 0396 names of the NDC, and the FHIR systems of the codes HL7 names in Table 0396.
HL7_NDC_SYSTEMS = frozenset({"NDC", "N4"})
HL7_SYSTEMS = {
    "RXNORM": "http://www.nlm.nih.gov/research/umls/rxnorm",
    "SCT": "http://snomed.info/sct",
    "SNM": "http://snomed.info/sct",
    "SNOMED": "http://snomed.info/sct",
    "SNOMEDCT": "http://snomed.info/sct",
}
_DASHED = re.compile(r"(\d{4,5})-(\d{3,4})-(\d{1,2})")
_LAYOUTS = {(4, 4, 2): 0, (5, 3, 2): 1, (5, 4, 1): 2, (5, 4, 2): None}


class NdcError(ValueError):
    """The value is not an NDC in any layout finalmile reads."""


def normalize_ndc(value: str) -> str:
    """The 11-digit NDC without dashes (``00002821501``) from any accepted layout.

    Raises:
        NdcError: when ``value`` is not an NDC in 4-4-2, 5-3-2, 5-4-1 or 5-4-2 form with dashes,
            or 11 digits without.
    """
    text = value.strip().replace(" ", "")
    if text.isdigit() and len(text) == 11:
        return text
    match = _DASHED.fullmatch(text)
    if match is not None:
        parts = list(match.groups())
        layout = tuple(len(part) for part in parts)
        if layout in _LAYOUTS:
            short = _LAYOUTS[layout]
            if short is not None:
                parts[short] = "0" + parts[short]
            return "".join(parts)
    raise NdcError("an NDC must be 11 digits, or 10 digits with dashes as 4-4-2, 5-3-2 or 5-4-1")


def checked_ndc(value: str | None, location: str, *, code: StrEnum, context: str) -> str | None:
    """``normalize_ndc`` of a value from a message; None for no value.

    Raises:
        InputError: ``code`` at ``location`` when the value is not an NDC.
    """
    if not value or not value.strip():
        return None
    try:
        return normalize_ndc(value)
    except NdcError as exc:
        raise InputError(f"{location} in {context}: {exc}", location=location, code=code) from None


@dataclass(frozen=True, slots=True)
class Coding:
    """One code of a product as a message sends it: code, display text, coding system."""

    code: str | None
    display: str | None
    system: str | None


@dataclass(frozen=True, slots=True)
class Product:
    """What identifies an item: its NDC (raw, to be normalised), another code, a description."""

    ndc: str | None
    code: str | None
    system: str | None
    description: str | None


def product(text: str | None, codings: list[Coding], *, is_ndc: frozenset[str]) -> Product:
    """The NDC of the first coding whose system is in ``is_ndc``, the first other coding with a
    code (its system as a FHIR URI where HL7 names a known one), and ``text``, else the first
    coding's display."""
    coded = [c for c in codings if c.code and c.code.strip()]
    ndc = next((c for c in coded if (c.system or "").strip() in is_ndc), None)
    other = next((c for c in coded if c is not ndc), None)
    displays = [c.display for c in codings if c.display]
    description = (text or "").strip() or next((d.strip() for d in displays if d.strip()), None)
    system = (other.system or "").strip() or None if other else None
    return Product(
        ndc=ndc.code.strip() if ndc and ndc.code else None,
        code=other.code.strip() if other and other.code else None,
        system=HL7_SYSTEMS.get(system.upper(), system) if system else None,
        description=description,
    )
