"""The canonical fields a connector profile can re-point (``fields:`` in an HL7 or FHIR mapping).

Names follow the contract JSON of ``DispatchOrder``; ``item.*`` fields apply to every item of the
order (HL7: read per item segment or per order group).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

CANONICAL_FIELDS = (
    "order_id",
    "patient.mrn",
    "patient.family",
    "patient.given",
    "patient.birth_date",
    "patient.phone",
    "patient.email",
    "ship_to.name",
    "ship_to.line1",
    "ship_to.line2",
    "ship_to.city",
    "ship_to.state",
    "ship_to.postal_code",
    "ship_to.country",
    "item.ndc",
    "item.description",
    "item.quantity",
    "item.unit",
    "item.storage",
    "item.controlled_schedule",
    "needed_by",
    "requires_signature",
    "instructions",
)


def _known(name: str) -> str:
    if name not in CANONICAL_FIELDS:
        raise ValueError(
            f"unknown canonical field {name!r}; expected one of {', '.join(CANONICAL_FIELDS)}"
        )
    return name


FieldName = Annotated[str, AfterValidator(_known)]
"""A canonical field name, validated against ``CANONICAL_FIELDS``."""
