"""Delivery evidence read from the tracking and temperature tables (the ``EvidenceSource`` the
service uses).

Complete means the tracking module stamped the order's newest proof of delivery ``complete_at``;
the reference is its ``pod_reference``; the temperature verdict is the evidence module's answer
for the order (None when no log was uploaded); a pharmacist's release of an excursion is
``temperature_released``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from finalmile.evidence import excursion_released, temperature_verdict
from finalmile.tracking import DeliveryProof, TrackingState, pod_reference


@dataclass(frozen=True)
class StoredEvidence:
    """A ``DeliveryEvidence`` built from stored rows."""

    complete: bool
    reference: str
    delivered_at: dt.datetime
    shipped_at: dt.datetime | None
    recipient_relationship: str | None
    temperature_verdict: str | None
    temperature_released: bool = False


def stored_evidence(session: Session, order_pk: int) -> StoredEvidence | None:
    """The order's delivery evidence, None when it has no proof of delivery yet."""
    proof = session.scalars(
        select(DeliveryProof)
        .where(col(DeliveryProof.order_pk) == order_pk)
        .order_by(col(DeliveryProof.id).desc())
        .limit(1)
    ).first()
    if proof is None:
        return None
    shipped_at = session.scalar(
        select(func.min(TrackingState.shipped_at)).where(col(TrackingState.order_pk) == order_pk)
    )
    verdict = temperature_verdict(session, order_pk)
    return StoredEvidence(
        complete=proof.complete_at is not None,
        reference=pod_reference(proof.id or 0),
        delivered_at=proof.delivered_at,
        shipped_at=shipped_at,
        recipient_relationship=proof.relationship,
        temperature_verdict=verdict.value if verdict is not None else None,
        temperature_released=excursion_released(session, order_pk),
    )
