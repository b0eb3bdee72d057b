"""``/console/orders/{order_id}``: an order's whole story on one screen.

The status and billing status, the decision and its reasons, shipments and their tracking, the
proof of delivery, the chain of custody and whether it verifies, and every transition and action.
The patient's name, birth date, phone and address show only to roles that need them (dispatcher,
pharmacist, admin), and each such view is recorded (``finalmile users access-log``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlmodel import col

from finalmile.auth import Role
from finalmile.console.session import UserDep
from finalmile.console.templating import render
from finalmile.db import transaction
from finalmile.deps import SessionsDep, provided
from finalmile.orders import find_order, order_record
from finalmile.rules import Decider, current_decision
from finalmile.shipments import Shipment
from finalmile.tracking import TrackingEventRow, TrackingState, chain, proof_view, verify_chain
from finalmile.users import record_patient_view
from finalmile.vault import Vault

router = APIRouter(include_in_schema=False)
VaultDep = Annotated[Vault, Depends(provided(Vault))]
DeciderDep = Annotated[Decider, Depends(provided(Decider))]
#: Roles that see a patient's name, birth date, phone and address.
SEES_PATIENT = (Role.DISPATCHER, Role.PHARMACIST)


@router.get("/console/orders/{order_id}", response_class=HTMLResponse)
def order_page(
    *,
    request: Request,
    order_id: str,
    user: UserDep,
    sessions: SessionsDep,
    vault: VaultDep,
    decider: DeciderDep,
    connector: str | None = None,
) -> HTMLResponse:
    """One order, everything known about it."""
    with transaction(sessions) as session:
        row = find_order(session=session, order_id=order_id, connector=connector)
        assert row.id is not None
        record = order_record(session=session, row=row, vault=vault)
        decided = current_decision(session=session, order_pk=row.id)
        shipments = list(
            session.scalars(
                select(Shipment).where(col(Shipment.order_pk) == row.id).order_by(col(Shipment.id))
            )
        )
        tracking = _tracking(session, [s.id for s in shipments if s.id is not None])
        pod = proof_view(session, order_pk=row.id, vault=vault)
        custody = chain(session, row.id)
        sees_patient = user.acts_as(*SEES_PATIENT)
        if sees_patient:
            record_patient_view(
                session=session, user=user, order_pk=row.id, order_id=row.order_id, page="order"
            )
    return render(
        request,
        "order.html",
        user=user,
        nav="board",
        row=row,
        order=record.order,
        sees_patient=sees_patient,
        history=record.history,
        decision=decider.read(decided) if decided is not None else None,
        shipments=shipments,
        tracking=tracking,
        pod=pod,
        custody=custody,
        custody_check=verify_chain(custody),
    )


def _tracking(session: Any, shipment_pks: list[int]) -> dict[int, dict[str, Any]]:
    """Each shipment's tracking state and events, newest event first."""
    if not shipment_pks:
        return {}
    states = {
        state.shipment_pk: state
        for state in session.scalars(
            select(TrackingState).where(col(TrackingState.shipment_pk).in_(shipment_pks))
        )
    }
    events: dict[int, list[TrackingEventRow]] = {pk: [] for pk in shipment_pks}
    for event in session.scalars(
        select(TrackingEventRow)
        .where(col(TrackingEventRow.shipment_pk).in_(shipment_pks))
        .order_by(col(TrackingEventRow.occurred_at).desc())
    ):
        events[event.shipment_pk].append(event)
    return {pk: {"state": states.get(pk), "events": events[pk]} for pk in shipment_pks}
