"""Proof of delivery: what Medicare DMEPOS rules and PBM audits ask for, and what is missing.

Two methods, as in the DMEPOS proof-of-delivery rules (Medicare Program Integrity Manual,
ch. 4 §4.26 and ch. 5 §5.8):

- **courier** (we delivered it ourselves): beneficiary name, delivery address, item descriptions
  and quantities, the date delivered, and the signature of the beneficiary or a designee with the
  designee's printed name and relationship. The driver, or anyone paid for the delivery, may not
  sign: a signer whose printed name is the driver's is flagged and the POD stays incomplete.
- **carrier** (a shipping service delivered it): the same order facts, the carrier's tracking
  number linked to the order, and the carrier's delivery date; a signature (the carrier's
  ``signed_by``) only when the order requires one.

``assess`` is pure; ``Missing.field`` names the field a reviewer must supply.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from finalmile.canonical import DispatchOrder


class Relationship(StrEnum):
    """Who signed, relative to the beneficiary. Anyone paid for the delivery is not a choice."""

    SELF = "self"
    SPOUSE = "spouse"
    PARENT = "parent"
    CHILD = "child"
    FAMILY_MEMBER = "family_member"
    CAREGIVER = "caregiver"
    LEGAL_GUARDIAN = "legal_guardian"
    POWER_OF_ATTORNEY = "power_of_attorney"
    FACILITY_STAFF = "facility_staff"
    OTHER_DESIGNEE = "other_designee"


class PodMethod(StrEnum):
    """How the package reached the patient."""

    COURIER = "courier"
    CARRIER = "carrier"


@dataclass(frozen=True)
class Evidence:
    """What was captured at delivery (no images: only whether they exist)."""

    method: PodMethod
    delivered_at: dt.datetime | None
    tracking_number: str | None = None
    carrier: str | None = None
    has_signature: bool = False
    has_signer_name: bool = False
    relationship: str | None = None
    signed_by_driver: bool = False
    carrier_signed: bool = False


@dataclass(frozen=True)
class Missing:
    """One thing the POD lacks: the field and why, in words a billing reviewer can act on."""

    field: str
    reason: str


@dataclass(frozen=True)
class PodCheck:
    """Whether the POD is complete, and what is missing if not."""

    method: PodMethod | None
    missing: tuple[Missing, ...]

    @property
    def complete(self) -> bool:
        """True when nothing is missing."""
        return not self.missing


def assess(order: DispatchOrder, evidence: Evidence | None) -> PodCheck:
    """Check an order's delivery evidence against the DMEPOS/PBM requirements."""
    missing = _order_facts(order)
    if evidence is None or evidence.delivered_at is None:
        missing.append(Missing("delivered_at", "no delivery has been recorded"))
        return PodCheck(evidence.method if evidence else None, tuple(missing))
    if evidence.method is PodMethod.COURIER:
        missing += _courier(evidence)
    else:
        missing += _carrier(order, evidence)
    return PodCheck(evidence.method, tuple(missing))


def _order_facts(order: DispatchOrder) -> list[Missing]:
    missing = []
    if not (order.patient.family and order.patient.given):
        missing.append(Missing("beneficiary_name", "the order has no full patient name"))
    address = order.ship_to
    if not (address.line1 and address.city and address.state and address.postal_code):
        missing.append(Missing("delivery_address", "the delivery address is incomplete"))
    for line, item in enumerate(order.items, start=1):
        if not (item.description or item.ndc):
            missing.append(Missing(f"items[{line}].description", "the item is not described"))
        if item.quantity <= 0:
            missing.append(Missing(f"items[{line}].quantity", "the quantity is not positive"))
    return missing


def _courier(evidence: Evidence) -> list[Missing]:
    missing = []
    if not evidence.has_signature:
        missing.append(Missing("signature", "no signature was captured"))
    if not evidence.has_signer_name:
        missing.append(Missing("signer_printed_name", "the signer's printed name is missing"))
    if evidence.relationship not in {r.value for r in Relationship}:
        missing.append(Missing("signer_relationship", "the signer's relationship is missing"))
    if evidence.signed_by_driver:
        missing.append(
            Missing("signature", "signed by the delivering driver; a driver may not sign")
        )
    return missing


def _carrier(order: DispatchOrder, evidence: Evidence) -> list[Missing]:
    missing = []
    if not evidence.tracking_number:
        missing.append(Missing("tracking_number", "no carrier tracking number"))
    if not evidence.carrier:
        missing.append(Missing("carrier", "the carrier is unknown"))
    if order.requires_signature and not evidence.carrier_signed:
        missing.append(
            Missing("carrier_signed_by", "the order requires a signature; the carrier has none")
        )
    return missing
