"""Product identification of an item: the NDC in one form, any other code, and a text.

The canonical ``ndc`` is the 11-digit HIPAA form without dashes (5-4-2: labeler, product,
package). Senders write the 10-digit FDA layouts with dashes (4-4-2, 5-3-2, 5-4-1), the 11-digit
form with or without dashes; each is padded with one leading zero in the short part. A 10-digit
NDC without dashes is ambiguous (which part is short?) and rejected.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from finalmile.errors import InputError
from finalmile.ndc import normalize_ndc

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


def checked_ndc(value: str | None, location: str, *, code: StrEnum, context: str) -> str | None:
    """``normalize_ndc`` of a value from a message; None for no value.

    Raises:
        InputError: ``code`` at ``location`` when the value is not an NDC.
    """
    if not value or not value.strip():
        return None
    try:
        return normalize_ndc(value)
    except ValueError as exc:
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
