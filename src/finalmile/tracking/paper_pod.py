"""Completing a proof of delivery from a paper or phone record, with its attachment.

A person (dispatcher, billing) attaches the record (image or PDF) and says who received the
package, their relationship, when, and how the record was obtained. The attachment is stored
encrypted as the proof's photo with its SHA-256; where the POD lacked a signature it is the
signed record, so the signature's hash is the attachment's. The POD then settles through the
normal path (``proofs.settle``: the billing confirmation follows in the same transaction).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.orm import Session

from finalmile.errors import ConflictError
from finalmile.tracking import proofs
from finalmile.tracking.pod import PodCheck, Relationship, assess
from finalmile.tracking.proofs import EvidenceSettled
from finalmile.vault import Vault

PNG = b"\x89PNG\r\n\x1a\n"
JPEG = b"\xff\xd8\xff"
PDF = b"%PDF-"
#: What an attachment may be, by its first bytes.
MEDIA_TYPES = {PNG: "image/png", JPEG: "image/jpeg", PDF: "application/pdf"}


class Obtained(StrEnum):
    """How the record of receipt was obtained."""

    PAPER = "paper"
    PHONE = "phone"


@dataclass(frozen=True)
class ReceiptRecord:
    """Who received the package, per the paper or phone record (the name is patient data:
    stored encrypted only)."""

    recipient_name: str
    relationship: Relationship
    received_at: dt.datetime
    obtained: Obtained


def media_type(content: bytes) -> str | None:
    """The attachment's media type from its first bytes; None when not an image or a PDF."""
    return next((kind for magic, kind in MEDIA_TYPES.items() if content.startswith(magic)), None)


def complete_from_record(
    session: Session,
    *,
    order_pk: int,
    record: ReceiptRecord,
    attachment: bytes,
    actor: str,
    vault: Vault,
    now: dt.datetime,
    on_settled: EvidenceSettled,
) -> PodCheck:
    """Add the record to the order's POD and settle it; the check (complete) it came to.

    Raises:
        ConflictError: no delivery is recorded, the POD is already complete, it already holds a
            photo, or it is still incomplete with the record (the fields named).
    """
    proof = proofs.for_order(session, order_pk)
    if proof is None:
        raise ConflictError("no delivery is recorded for the order; nothing to complete")
    if proof.complete_at is not None:
        raise ConflictError("the proof of delivery is already complete")
    if proof.photo_encrypted is not None:
        raise ConflictError("the proof of delivery already holds a photo; it cannot take another")
    digest = hashlib.sha256(attachment).hexdigest()
    proof.photo_encrypted = vault.encrypt(attachment)
    proof.photo_sha256 = digest
    proof.photo_media_type = media_type(attachment)
    if proof.signature_sha256 is None:
        proof.signature_sha256 = digest
    proof.has_signer_name = True
    proof.relationship = record.relationship.value
    proof.signed_by_driver = False
    proof.carrier_signed = True
    sealed = proofs.unseal(vault, proof.evidence_encrypted)
    staff = {
        "obtained": record.obtained.value,
        "received_at": record.received_at.isoformat(),
        "added_by": actor,
        "added_at": now.isoformat(),
    }
    name = sealed.get("signer_name") or record.recipient_name
    carrier_name = sealed.get("carrier_signed_by") or record.recipient_name
    values = {**sealed, "signer_name": name, "carrier_signed_by": carrier_name, "record": staff}
    proof.evidence_encrypted = proofs.seal(vault, values)
    proof.updated_at = now
    session.add(proof)
    session.flush()
    check = assess(proofs.canonical_order(session, order_pk, vault), proofs.evidence_of(proof))
    if not check.complete:
        fields = ", ".join(m.field for m in check.missing)
        raise ConflictError(
            f"the proof of delivery is still incomplete with this record: {fields}",
            location="pod",
        )
    proofs.settle(session, order_pk=order_pk, vault=vault, now=now, on_settled=on_settled)
    return check
