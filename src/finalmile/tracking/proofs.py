"""Stored proof of delivery: carrier evidence, a driver's ePOD, and settling a complete POD.

``settle`` runs in the transaction that added evidence: when the order's POD has just become
complete it stamps ``complete_at`` and calls the ``EvidenceSettled`` hook it was given in that same
transaction (the composition root binds it to billing), so the billing confirmation is written
exactly when the evidence commits.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from finalmile.canonical import DispatchOrder
from finalmile.orders import Order, OrderItem, load_order
from finalmile.shipments import Shipment
from finalmile.tracking.models import DeliveryProof
from finalmile.tracking.pod import Evidence, PodCheck, PodMethod, assess
from finalmile.vault import Vault

#: Called in the transaction that settled an order's evidence (a complete POD, a passing
#: temperature log) with the session and the order's pk; what it returns is ignored.
EvidenceSettled = Callable[[Session, int], object]


@dataclass(frozen=True)
class ProofView:
    """An order's proof of delivery, decrypted, with the completeness check (for the API and
    the evidence archive)."""

    order: DispatchOrder
    check: PodCheck
    proof: DeliveryProof | None
    signer_name: str | None = None
    carrier_signed_by: str | None = None
    gps: dict[str, Any] | None = None
    signature_png: bytes | None = None
    photo: bytes | None = None


def pod_reference(proof_id: int) -> str:
    """The reference billing quotes for a POD record."""
    return f"POD-{proof_id}"


def seal(vault: Vault, values: dict[str, Any]) -> bytes | None:
    """Encrypt the non-empty ``values`` as JSON (None when there are none)."""
    kept = {k: v for k, v in values.items() if v is not None}
    return vault.encrypt(json.dumps(kept, separators=(",", ":")).encode()) if kept else None


def unseal(vault: Vault, blob: bytes | None) -> dict[str, Any]:
    """The JSON ``seal`` encrypted (empty for None)."""
    if blob is None:
        return {}
    data: dict[str, Any] = json.loads(vault.decrypt(blob))
    return data


def for_order(session: Session, order_pk: int) -> DeliveryProof | None:
    """The order's newest proof of delivery."""
    statement = (
        select(DeliveryProof)
        .where(col(DeliveryProof.order_pk) == order_pk)
        .order_by(col(DeliveryProof.id).desc())
        .limit(1)
    )
    return session.scalars(statement).first()


def for_shipment(session: Session, shipment_pk: int) -> DeliveryProof | None:
    """The proof of delivery of one shipment."""
    statement = select(DeliveryProof).where(col(DeliveryProof.shipment_pk) == shipment_pk)
    return session.scalars(statement).first()


def record_carrier_evidence(
    session: Session,
    *,
    shipment: Shipment,
    delivered_at: dt.datetime,
    signed_by: str | None,
    proof_url: str | None,
    vault: Vault,
    now: dt.datetime,
) -> DeliveryProof:
    """Create the carrier's POD for a delivered shipment, or add evidence it lacked."""
    assert shipment.id is not None
    proof = for_shipment(session, shipment.id)
    if proof is None:
        proof = DeliveryProof(
            order_pk=shipment.order_pk,
            shipment_pk=shipment.id,
            source="carrier",
            carrier=shipment.carrier,
            tracking_number=shipment.tracking_number,
            delivered_at=delivered_at,
            created_at=now,
            updated_at=now,
        )
    elif proof.source != "carrier":
        return proof
    if signed_by and not proof.carrier_signed:
        sealed = unseal(vault, proof.evidence_encrypted)
        proof.evidence_encrypted = seal(vault, {**sealed, "carrier_signed_by": signed_by})
        proof.carrier_signed = True
        proof.updated_at = now
    if proof_url and not proof.proof_url:
        proof.proof_url = proof_url[:500]
        proof.updated_at = now
    session.add(proof)
    session.flush()
    return proof


def evidence_of(proof: DeliveryProof | None) -> Evidence | None:
    """What ``assess`` needs from a stored proof (no decryption)."""
    if proof is None:
        return None
    return Evidence(
        method=PodMethod.COURIER if proof.source == "driver" else PodMethod.CARRIER,
        delivered_at=proof.delivered_at,
        tracking_number=proof.tracking_number,
        carrier=proof.carrier,
        has_signature=proof.signature_sha256 is not None,
        has_signer_name=proof.has_signer_name,
        relationship=proof.relationship,
        signed_by_driver=proof.signed_by_driver,
        carrier_signed=proof.carrier_signed,
    )


def canonical_order(session: Session, order_pk: int, vault: Vault) -> DispatchOrder:
    """The stored order as a ``DispatchOrder`` (patient data decrypted)."""
    order = session.get(Order, order_pk)
    assert order is not None
    items = session.scalars(
        select(OrderItem).where(col(OrderItem.order_pk) == order_pk).order_by(col(OrderItem.line))
    )
    return load_order(order, list(items), vault=vault)


def settle(
    session: Session,
    *,
    order_pk: int,
    vault: Vault,
    now: dt.datetime,
    on_settled: EvidenceSettled,
) -> bool:
    """Stamp the POD complete and call ``on_settled`` if it has just become complete."""
    proof = for_order(session, order_pk)
    if proof is None or proof.complete_at is not None:
        return False
    check = assess(canonical_order(session, order_pk, vault), evidence_of(proof))
    if not check.complete:
        return False
    proof.complete_at = now
    proof.updated_at = now
    session.add(proof)
    session.flush()
    on_settled(session, order_pk)
    return True


def view(session: Session, *, order_pk: int, vault: Vault) -> ProofView:
    """The order's POD with everything decrypted and checked."""
    order = canonical_order(session, order_pk, vault)
    proof = for_order(session, order_pk)
    check = assess(order, evidence_of(proof))
    if proof is None:
        return ProofView(order=order, check=check, proof=None)
    sealed = unseal(vault, proof.evidence_encrypted)
    return ProofView(
        order=order,
        check=check,
        proof=proof,
        signer_name=sealed.get("signer_name"),
        carrier_signed_by=sealed.get("carrier_signed_by"),
        gps=sealed.get("gps"),
        signature_png=vault.decrypt(proof.signature_encrypted)
        if proof.signature_encrypted
        else None,
        photo=vault.decrypt(proof.photo_encrypted) if proof.photo_encrypted else None,
    )
