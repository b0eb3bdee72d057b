"""The driver API (``Authorization: Bearer fmd_...``): my stops, and updates from the road.

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

from finalmile.db_types import utcnow
from finalmile.deps import ServicesDep
from finalmile.tracking import drivers
from finalmile.tracking.driver_updates import DriverUpdateIn, UpdateResult, apply_batch
from finalmile.tracking.models import Driver, TrackingState
from finalmile.tracking.proofs import canonical_order

router = APIRouter(prefix="/driver", tags=["driver"])
bearer = HTTPBearer(auto_error=False, description="Driver token (fmd_...)")


def current_driver(
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> Driver:
    """The driver the bearer token belongs to (401 otherwise)."""
    with services.sessions() as session:
        return drivers.authenticate_driver(
            session=session, token=credentials.credentials if credentials else None
        )


DriverDep = Annotated[Driver, Depends(current_driver)]


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


@router.get("/stops", response_model=list[StopOut])
def my_stops(services: ServicesDep, driver: DriverDep) -> list[StopOut]:
    """The stops assigned to me (address and contact are shown for my stops only)."""
    out = []
    with services.sessions() as session:
        for shipment in drivers.stops_of(session=session, driver=driver):
            assert shipment.id is not None
            order = canonical_order(session, shipment.order_pk, services.vault)
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


@router.post("/updates", response_model=UpdatesOut)
async def post_updates(body: UpdatesIn, services: ServicesDep, driver: DriverDep) -> UpdatesOut:
    """Apply updates; resending an update (same client_id and content) counts once."""
    assert driver.id is not None
    results = await asyncio.to_thread(
        apply_batch,
        services.sessions,
        driver_pk=driver.id,
        updates=body.updates,
        vault=services.vault,
        now=utcnow(),
    )
    return UpdatesOut(results=[UpdateOut.of(r) for r in results])
