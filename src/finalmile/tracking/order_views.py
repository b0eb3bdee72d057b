"""Per-order tracking views: ``/orders/{order_id}/pod``, ``/custody`` and ``/tracking``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, status
from pydantic import AwareDatetime, BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from finalmile.auth import Principal, Role, Scope
from finalmile.db import transaction
from finalmile.db_types import utcnow
from finalmile.deps import SessionsDep, provided, require, require_role
from finalmile.errors import InputError
from finalmile.orders import find_order
from finalmile.shipments import Shipment
from finalmile.tracking import custody, proofs
from finalmile.tracking.custody import CustodyKind
from finalmile.tracking.models import CustodyEvent, TrackingEventRow, TrackingState
from finalmile.tracking.proofs import pod_reference
from finalmile.vault import Vault

router = APIRouter(prefix="/orders/{order_id}", tags=["tracking"])
Reader = Annotated[Principal, Depends(require(Scope.ORDERS_READ))]
Writer = Annotated[Principal, Depends(require_role(Role.DISPATCHER, Role.PHARMACIST))]
VaultDep = Annotated[Vault, Depends(provided(Vault))]
#: Handoffs pharmacy staff record by hand; the rest come from carriers and drivers.
STAFF_KINDS = (CustodyKind.PACKED, CustodyKind.HANDED_OFF, CustodyKind.RETURNED_TO_PHARMACY)


class MissingOut(BaseModel):
    """Something the POD lacks."""

    field: str
    reason: str


class PodOut(BaseModel):
    """The order's proof of delivery: complete, or what is missing."""

    order_id: str
    complete: bool
    method: str | None
    missing: list[MissingOut]
    pod_reference: str | None
    delivered_at: dt.datetime | None
    carrier: str | None
    tracking_number: str | None
    proof_url: str | None
    signer_name: str | None
    relationship: str | None
    carrier_signed_by: str | None
    signature_sha256: str | None
    photo_sha256: str | None
    signed_by_driver: bool
    complete_at: dt.datetime | None


class CustodyOut(BaseModel):
    """One handoff in the chain."""

    seq: int
    kind: str
    actor: str
    at: dt.datetime
    detail: dict[str, Any]
    prev_hash: str
    hash: str


class ChainOut(BaseModel):
    """The chain and whether it verifies."""

    order_id: str
    verified: bool
    first_bad_seq: int | None
    reason: str | None
    head_hash: str | None
    events: list[CustodyOut]


class CustodyIn(BaseModel):
    """A handoff recorded by pharmacy staff (no patient data in ``note``)."""

    kind: CustodyKind = Field(description=f"one of {', '.join(k.value for k in STAFF_KINDS)}")
    at: AwareDatetime | None = Field(default=None, description="Default: now")
    note: str | None = Field(default=None, max_length=200)


class TrackingOut(BaseModel):
    """Stored tracking of the order's shipments: current status and every event."""

    shipment: str
    status: str
    detail: str
    status_at: dt.datetime
    shipped_at: dt.datetime | None
    delivered_at: dt.datetime | None
    events: list[dict[str, Any]]


@router.get("/pod", response_model=PodOut)
def get_pod(
    order_id: str,
    sessions: SessionsDep,
    vault: VaultDep,
    _principal: Reader,
    connector: str | None = None,
) -> PodOut:
    """The proof of delivery: complete, or the list of what is missing."""
    with sessions() as session:
        order = find_order(session=session, order_id=order_id, connector=connector)
        assert order.id is not None
        found = proofs.view(session, order_pk=order.id, vault=vault)
    proof = found.proof
    return PodOut(
        order_id=order.order_id,
        complete=found.check.complete,
        method=found.check.method.value if found.check.method else None,
        missing=[MissingOut(field=m.field, reason=m.reason) for m in found.check.missing],
        pod_reference=pod_reference(proof.id) if proof and proof.id else None,
        delivered_at=proof.delivered_at if proof else None,
        carrier=proof.carrier if proof else None,
        tracking_number=proof.tracking_number if proof else None,
        proof_url=proof.proof_url if proof else None,
        signer_name=found.signer_name,
        relationship=proof.relationship if proof else None,
        carrier_signed_by=found.carrier_signed_by,
        signature_sha256=proof.signature_sha256 if proof else None,
        photo_sha256=proof.photo_sha256 if proof else None,
        signed_by_driver=bool(proof and proof.signed_by_driver),
        complete_at=proof.complete_at if proof else None,
    )


def _chain_out(order_id: str, events: list[CustodyEvent]) -> ChainOut:
    check = custody.verify_chain(events)
    return ChainOut(
        order_id=order_id,
        verified=check.ok,
        first_bad_seq=check.first_bad_seq,
        reason=check.reason,
        head_hash=check.head_hash,
        events=[CustodyOut.model_validate(e, from_attributes=True) for e in events],
    )


@router.get("/custody", response_model=ChainOut)
def get_custody(
    order_id: str, sessions: SessionsDep, _principal: Reader, connector: str | None = None
) -> ChainOut:
    """The chain of custody, verified."""
    with sessions() as session:
        order = find_order(session=session, order_id=order_id, connector=connector)
        assert order.id is not None
        events = custody.chain(session, order.id)
    return _chain_out(order.order_id, events)


@router.post("/custody", response_model=ChainOut, status_code=status.HTTP_201_CREATED)
def post_custody(
    order_id: str,
    body: CustodyIn,
    sessions: SessionsDep,
    principal: Writer,
    connector: str | None = None,
) -> ChainOut:
    """Record a pharmacy handoff (packed, handed off, returned to the pharmacy)."""
    if body.kind not in STAFF_KINDS:
        raise InputError(
            f"{body.kind.value} is recorded from carrier and driver events", location="kind"
        )
    with transaction(sessions) as session:
        order = find_order(session=session, order_id=order_id, connector=connector)
        assert order.id is not None
        custody.append(
            session,
            order_pk=order.id,
            kind=body.kind,
            actor=f"staff:key:{principal.key_prefix}",
            at=body.at or utcnow(),
            detail={"note": body.note} if body.note else {},
        )
        events = custody.chain(session, order.id)
    return _chain_out(order.order_id, events)


@router.get("/tracking", response_model=list[TrackingOut])
def get_tracking(
    order_id: str, sessions: SessionsDep, _principal: Reader, connector: str | None = None
) -> list[TrackingOut]:
    """The stored status and events of each tracked shipment of the order (no carrier call)."""
    with sessions() as session:
        order = find_order(session=session, order_id=order_id, connector=connector)
        states = session.scalars(
            select(TrackingState).where(col(TrackingState.order_pk) == order.id)
        ).all()
        out = []
        for state in states:
            events = session.scalars(
                select(TrackingEventRow)
                .where(col(TrackingEventRow.shipment_pk) == state.shipment_pk)
                .order_by(col(TrackingEventRow.occurred_at), col(TrackingEventRow.id))
            ).all()
            key = _shipment_key(session, state.shipment_pk)
            out.append(
                TrackingOut(
                    shipment=key,
                    status=state.status.value,
                    detail=state.detail,
                    status_at=state.status_at,
                    shipped_at=state.shipped_at,
                    delivered_at=state.delivered_at,
                    events=[
                        {
                            "occurred_at": e.occurred_at,
                            "status": e.status.value,
                            "detail": e.detail,
                            "source": e.source,
                            "provider_status": e.provider_status,
                            "provider_detail": e.provider_detail,
                        }
                        for e in events
                    ],
                )
            )
    return out


def _shipment_key(session: Session, shipment_pk: int) -> str:
    shipment = session.get(Shipment, shipment_pk)
    return str(shipment.key) if shipment else ""
