"""The driver API (``Authorization: Bearer fmd_...``): my stops, and updates from the road; and
``PUT /drivers/{driver_id}/stops/{order_id}`` for dispatchers (API key, ``orders:write``).

``POST /driver/updates`` takes a list so an app back online can sync its queue in one call; each
update is applied (or refused) on its own and answered in order.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from finalmile.auth import Principal, Role
from finalmile.courier import assignments, driver_stops, drivers
from finalmile.courier.driver_payloads import DriverUpdateIn
from finalmile.courier.driver_tables import Driver
from finalmile.courier.driver_updates import DriverUpdates, UpdateResult
from finalmile.db import transaction
from finalmile.db_types import utcnow
from finalmile.deps import SessionsDep, provided, require_role
from finalmile.tracking import TrackingState, canonical_order
from finalmile.vault import Vault

router = APIRouter(tags=["driver"])
bearer = HTTPBearer(auto_error=False, description="Driver token (fmd_...)")
VaultDep = Annotated[Vault, Depends(provided(Vault))]
UpdatesDep = Annotated[DriverUpdates, Depends(provided(DriverUpdates))]


def current_driver(
    sessions: SessionsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> Driver:
    """The driver the bearer token belongs to (401 otherwise)."""
    with sessions() as session:
        return drivers.authenticate_driver(
            session=session, token=credentials.credentials if credentials else None
        )


DriverDep = Annotated[Driver, Depends(current_driver)]
Dispatcher = Annotated[Principal, Depends(require_role(Role.DISPATCHER))]


class StopOut(BaseModel):
    """One stop: what the driver needs at the door, and where it stands."""

    stop: str
    order_id: str
    tracking_number: str | None
    status: str | None
    recipient: str | None
    address: dict[str, Any]
    instructions: str | None
    requires_signature: bool
    storage: str
    needed_by: dt.datetime | None


class UpdatesIn(BaseModel):
    """Updates to apply, oldest first."""

    updates: list[DriverUpdateIn] = Field(min_length=1, max_length=100)


class UpdateOut(BaseModel):
    """One update's outcome: applied, duplicate (already counted) or rejected."""

    client_id: str
    outcome: str
    status: str | None = None
    error: str | None = None
    location: str | None = None

    @classmethod
    def of(cls, result: UpdateResult) -> UpdateOut:
        return cls(**result.__dict__)


class UpdatesOut(BaseModel):
    """Outcomes in the order the updates were sent."""

    results: list[UpdateOut]


@router.get("/driver/stops", response_model=list[StopOut])
def my_stops(sessions: SessionsDep, vault: VaultDep, driver: DriverDep) -> list[StopOut]:
    """The stops assigned to me (address and contact are shown for my stops only)."""
    out = []
    with sessions() as session:
        for shipment in driver_stops.stops_of(session=session, driver=driver):
            assert shipment.id is not None
            order = canonical_order(session, shipment.order_pk, vault)
            state = session.get(TrackingState, shipment.id)
            out.append(
                StopOut(
                    stop=shipment.key,
                    order_id=shipment.order_id,
                    tracking_number=shipment.tracking_number,
                    status=state.status.value if state else None,
                    recipient=order.ship_to.name,
                    address=order.ship_to.model_dump(mode="json", exclude={"name"}),
                    instructions=order.instructions,
                    requires_signature=order.requires_signature,
                    storage=order.storage.value,
                    needed_by=order.needed_by,
                )
            )
    return out


@router.post("/driver/updates", response_model=UpdatesOut)
async def post_updates(
    body: UpdatesIn, driver_updates: UpdatesDep, driver: DriverDep
) -> UpdatesOut:
    """Apply updates; resending an update (same client_id and content) counts once."""
    assert driver.id is not None
    results = await asyncio.to_thread(
        driver_updates.apply, driver_pk=driver.id, updates=body.updates, now=utcnow()
    )
    return UpdatesOut(results=[UpdateOut.of(r) for r in results])


class AssignmentOut(BaseModel):
    """Which driver now carries an order's courier shipment."""

    driver_id: str
    order_id: str
    stop: str


@router.put("/drivers/{driver_id}/stops/{order_id}", response_model=AssignmentOut)
def assign_stop(
    driver_id: str,
    order_id: str,
    sessions: SessionsDep,
    principal: Dispatcher,
    connector: str | None = None,
) -> AssignmentOut:
    """Give the order's purchased courier shipment to the driver (re-assigning it if needed)."""
    with transaction(sessions) as session:
        shipment = assignments.assign_order(
            session=session,
            driver_id=driver_id,
            order_id=order_id,
            connector=connector,
            actor=f"key:{principal.key_prefix}",
        )
    return AssignmentOut(driver_id=driver_id, order_id=shipment.order_id, stop=shipment.key)
