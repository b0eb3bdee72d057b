"""Record a shipment's events and move its state, with every effect in the same transaction.

``record_scans`` stores new events (a scan already stored, by key, is skipped), then ``refresh``
recomputes the status from all of the shipment's events (``status.current_status``) and acts on
what changed, once:

- first time in a carrier's or driver's hands: custody ``transferred_to_carrier`` or
  ``picked_up``, and the ``order.shipped`` outbox effect;
- out for delivery / a driver arrived / a failed attempt / returned: a custody event for each
  such new event between the previous status and the new one (a late, older scan adds none);
- first time delivered: custody ``delivered``, the carrier's POD (carrier shipments), the
  ``order.delivered`` outbox effect, and the evidence-settled hook once the POD is complete
  (``proofs.settle``).

The shipment row is locked first, so concurrent webhooks and polls for one parcel serialise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from finalmile.carriers import Scan, TrackingDetail, TrackingStatus
from finalmile.orders import Order, move
from finalmile.outbox import DeliveredPayload, ShippedPayload, Topic, enqueue
from finalmile.shipments import Shipment, ShipmentState
from finalmile.tracking import custody, proofs
from finalmile.tracking.custody import CustodyKind
from finalmile.tracking.models import TrackingEventRow, TrackingState
from finalmile.tracking.status import ORDER_STATUS, SHIPPED, StatusPoint, current_status
from finalmile.vault import Vault

DRIVER = "driver"


@dataclass(frozen=True)
class CarrierEvidence:
    """Delivery evidence a carrier reported beside its scans."""

    signed_by: str | None = None
    proof_url: str | None = None


def lock_shipment(session: Session, shipment_pk: int) -> Shipment:
    """The shipment row, locked for this transaction."""
    shipment = session.get(Shipment, shipment_pk, with_for_update=True)
    assert shipment is not None
    return shipment


def record_scans(
    session: Session,
    *,
    shipment: Shipment,
    scans: Sequence[Scan],
    source: str,
    vault: Vault,
    now: dt.datetime,
    keys: Sequence[str] | None = None,
) -> list[TrackingEventRow]:
    """Store the scans not stored yet (``keys``: their identities; default ``Scan.key``);
    returns the new rows. The caller has locked the shipment."""
    assert shipment.id is not None
    number = shipment.tracking_number or ""
    wanted = list(keys) if keys is not None else [scan.key(number) for scan in scans]
    stored = set(
        session.scalars(
            select(col(TrackingEventRow.event_key)).where(
                col(TrackingEventRow.shipment_pk) == shipment.id
            )
        )
    )
    new = []
    for scan, key in zip(scans, wanted, strict=True):
        if key in stored:
            continue
        stored.add(key)
        new.append(
            TrackingEventRow(
                shipment_pk=shipment.id,
                order_pk=shipment.order_pk,
                source=source,
                event_key=key,
                status=scan.status,
                detail=scan.detail.value,
                provider_status=scan.provider_status,
                provider_detail=(scan.provider_detail or "")[:64] or None,
                occurred_at=scan.occurred_at,
                received_at=now,
                evidence_encrypted=proofs.seal(
                    vault, {"message": scan.message, "location": scan.location}
                ),
            )
        )
    session.add_all(new)
    session.flush()
    return new


def refresh(
    session: Session,
    *,
    shipment: Shipment,
    vault: Vault,
    now: dt.datetime,
    actor: str,
    on_settled: proofs.EvidenceSettled,
    new_rows: Sequence[TrackingEventRow] = (),
    evidence: CarrierEvidence | None = None,
) -> TrackingState | None:
    """Recompute the shipment's status from its events and apply what changed (see module).

    ``actor`` is who reported the change: ``carrier:<name>`` or ``driver:<driver id>``;
    ``new_rows`` are the events ``record_scans`` just stored; ``on_settled`` is called when the
    order's POD becomes complete.
    """
    assert shipment.id is not None
    events = list(
        session.scalars(
            select(TrackingEventRow).where(col(TrackingEventRow.shipment_pk) == shipment.id)
        )
    )
    point = current_status(StatusPoint(e.status, e.occurred_at, e.detail) for e in events)
    if point is None:
        return None
    state = session.get(TrackingState, shipment.id)
    # Milestones are the new events after the previous status (an "unknown" poll has no time).
    known = state is not None and state.status is not TrackingStatus.UNKNOWN
    previous_at = state.status_at if state is not None and known else None
    changed = state is None or (state.status, state.detail, state.status_at) != (
        point.status,
        point.detail,
        point.occurred_at,
    )
    if state is None:
        state = TrackingState(
            shipment_pk=shipment.id,
            order_pk=shipment.order_pk,
            status=point.status,
            detail=point.detail,
            status_at=point.occurred_at,
            updated_at=now,
        )
    if new_rows:
        state.last_event_at = now
    state.status, state.detail, state.status_at = point.status, point.detail, point.occurred_at
    state.updated_at = now
    session.add(state)
    session.flush()
    if state.shipped_at is None:
        shipped = [e.occurred_at for e in events if e.status in SHIPPED]
        if shipped:
            state.shipped_at = min(shipped)
            _shipped(session, shipment, state, actor)
    if changed:
        for event in sorted(new_rows, key=lambda e: e.occurred_at):
            passed = previous_at is None or event.occurred_at > previous_at
            if passed and event.occurred_at <= point.occurred_at:
                _milestone(session, shipment, event, actor)
    if changed:
        _move_order(session, shipment, point, actor)
    if point.status is TrackingStatus.DELIVERED and state.delivered_at is None:
        state.delivered_at = point.occurred_at
        _delivered(
            session,
            shipment,
            state=state,
            actor=actor,
            evidence=evidence,
            vault=vault,
            now=now,
            on_settled=on_settled,
        )
    elif point.status is TrackingStatus.DELIVERED and evidence and is_carrier(actor):
        proofs.record_carrier_evidence(
            session,
            shipment=shipment,
            delivered_at=point.occurred_at,
            signed_by=evidence.signed_by,
            proof_url=evidence.proof_url,
            vault=vault,
            now=now,
        )
        proofs.settle(
            session, order_pk=shipment.order_pk, vault=vault, now=now, on_settled=on_settled
        )
    session.add(state)
    session.flush()
    return state


def carrier_actor(shipment: Shipment) -> str:
    """The actor string of the carrier carrying ``shipment``."""
    return f"carrier:{shipment.carrier or shipment.account}"


def is_carrier(actor: str) -> bool:
    """Whether an actor string names a carrier (not a driver)."""
    return not actor.startswith(f"{DRIVER}:")


def _order(session: Session, shipment: Shipment) -> Order:
    order = session.get(Order, shipment.order_pk)
    assert order is not None
    return order


def _move_order(session: Session, shipment: Shipment, point: StatusPoint, actor: str) -> None:
    """Carry a live shipment's new tracking status to its order."""
    meaning = ORDER_STATUS.get(point.status)
    if meaning is None or shipment.state is not ShipmentState.PURCHASED:
        return
    status, reason = meaning
    evidence = {"shipment": shipment.key, "tracking_status": point.status.value}
    if point.detail != TrackingDetail.OTHER.value:
        evidence["detail"] = point.detail
    order = session.get(Order, shipment.order_pk, with_for_update=True)
    assert order is not None
    move(
        session, order, status, actor=actor, reason=reason, evidence=evidence, at=point.occurred_at
    )


def _shipped(session: Session, shipment: Shipment, state: TrackingState, actor: str) -> None:
    assert state.shipped_at is not None
    by_carrier = is_carrier(actor)
    kind = CustodyKind.TRANSFERRED_TO_CARRIER if by_carrier else CustodyKind.PICKED_UP
    custody.append(
        session,
        order_pk=shipment.order_pk,
        kind=kind,
        actor=actor,
        at=state.shipped_at,
        detail=_parcel(shipment),
    )
    if shipment.tracking_number:
        order = _order(session, shipment)
        enqueue(
            session,
            topic=Topic.SHIPPED.value,
            key=f"shipped:{shipment.order_pk}:{shipment.tracking_number}",
            connector=order.connector,
            payload=ShippedPayload(
                order_id=order.order_id,
                order_pk=shipment.order_pk,
                carrier=shipment.carrier or shipment.account,
                service=shipment.service,
                tracking_number=shipment.tracking_number,
                tracking_url=shipment.tracking_url,
                shipped_at=state.shipped_at,
            ),
        )


_MILESTONES = {
    TrackingStatus.OUT_FOR_DELIVERY: CustodyKind.OUT_FOR_DELIVERY,
    TrackingStatus.FAILURE: CustodyKind.DELIVERY_ATTEMPTED,
    TrackingStatus.RETURNED: CustodyKind.RETURNED,
}


def _milestone(session: Session, shipment: Shipment, event: TrackingEventRow, actor: str) -> None:
    kind = _MILESTONES.get(event.status)
    if kind is None:
        return
    if event.detail == TrackingDetail.ARRIVED.value:
        kind = CustodyKind.ARRIVED
    custody.append(
        session,
        order_pk=shipment.order_pk,
        kind=kind,
        actor=actor,
        at=event.occurred_at,
        detail={**_parcel(shipment), "detail": event.detail},
    )


def _delivered(
    session: Session,
    shipment: Shipment,
    *,
    state: TrackingState,
    actor: str,
    evidence: CarrierEvidence | None,
    vault: Vault,
    now: dt.datetime,
    on_settled: proofs.EvidenceSettled,
) -> None:
    assert state.delivered_at is not None
    by_carrier = is_carrier(actor)
    if by_carrier:
        proof = proofs.record_carrier_evidence(
            session,
            shipment=shipment,
            delivered_at=state.delivered_at,
            signed_by=evidence.signed_by if evidence else None,
            proof_url=evidence.proof_url if evidence else None,
            vault=vault,
            now=now,
        )
    else:
        assert shipment.id is not None
        found = proofs.for_shipment(session, shipment.id)
        assert found is not None, "a driver's delivery carries its proof"
        proof = found
    detail: dict[str, Any] = {**_parcel(shipment), "pod": proof.id}
    if proof.relationship:
        detail["recipient_relationship"] = proof.relationship
    custody.append(
        session,
        order_pk=shipment.order_pk,
        kind=CustodyKind.DELIVERED,
        actor=actor,
        at=state.delivered_at,
        detail=detail,
    )
    order = _order(session, shipment)
    enqueue(
        session,
        topic=Topic.DELIVERED.value,
        key=f"delivered:{shipment.order_pk}",
        connector=order.connector,
        payload=DeliveredPayload(
            order_id=order.order_id,
            order_pk=shipment.order_pk,
            delivered_at=state.delivered_at,
            source="carrier" if by_carrier else "driver",
            carrier=shipment.carrier or shipment.account,
            service=shipment.service,
            tracking_number=shipment.tracking_number,
            recipient_relationship=proof.relationship,
        ),
    )
    proofs.settle(session, order_pk=shipment.order_pk, vault=vault, now=now, on_settled=on_settled)


def _parcel(shipment: Shipment) -> dict[str, Any]:
    return {"shipment": shipment.key, "tracking_number": shipment.tracking_number}
