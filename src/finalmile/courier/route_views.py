"""``/routes``: plan a courier day, re-plan the rest of it, read stored plans, their current ETAs
and their driver manifests (JSON and PDF).

The search runs in a child process with its own time budget and the request waits for it on a
worker thread, so a long plan never holds intake's event loop or its interpreter lock.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from finalmile.auth import Principal, Role, Scope
from finalmile.courier.dayfile import DayIn, load_day
from finalmile.courier.manifest import manifest
from finalmile.courier.plan_manifests import stored_manifest_pdf, stored_sheet
from finalmile.courier.plan_store import plan_etas, plan_record
from finalmile.courier.planning import CourierPlanning
from finalmile.courier.planning_job import plan_in_child, plan_stored_day, run_replan, store_plan
from finalmile.db_types import utcnow
from finalmile.deps import (
    RowId,
    SessionDep,
    SessionsDep,
    content_disposition,
    provided,
    require,
    require_role,
)
from finalmile.routing import configured
from finalmile.vault import Vault

router = APIRouter(prefix="/routes", tags=["routes"])

MAX_BUDGET_SECONDS = 120.0
PlanningDep = Annotated[CourierPlanning, Depends(provided(CourierPlanning))]
VaultDep = Annotated[Vault, Depends(provided(Vault))]


@router.post("/plan", dependencies=[Depends(require_role(Role.DISPATCHER))])
async def plan_routes(
    planning: PlanningDep,
    sessions: SessionsDep,
    date: Annotated[dt.date, Query(description="The day to plan")],
    day: Annotated[
        DayIn | None,
        Body(description="Sites, drivers and courier jobs; none: the stored courier decisions"),
    ] = None,
    seconds: Annotated[float, Query(gt=0, le=MAX_BUDGET_SECONDS)] = 10.0,
) -> dict[str, Any]:
    """Plan ``date``'s routes with the configured travel source, store and return the plan
    (routes, ETAs, unassigned, objective, travel source).

    Raises:
        NotFoundError: no day given and no stored courier order is due on ``date``.
        RetriableError: the routing engine is down or busy (503; nothing is stored).
    """
    if day is None:
        plan_id = await run_in_threadpool(plan_stored_day, planning, date, seconds)
        with sessions() as session:
            return plan_record(session=session, plan_id=plan_id)
    text = day.model_dump_json()
    load_day(text, source="request body")  # reject bad input before starting a process
    travel = configured(planning.routing_table_url)

    def run() -> dict[str, Any]:
        outcome = plan_in_child(text, date, seconds, travel_source=travel)
        plan_id = store_plan(planning, text, date, seconds, outcome, travel_source=travel)
        with sessions() as session:
            return plan_record(session=session, plan_id=plan_id)

    return await run_in_threadpool(run)


@router.get("/plans/{plan_id}", dependencies=[Depends(require(Scope.ORDERS_READ))])
def get_plan(plan_id: RowId, session: SessionDep) -> dict[str, Any]:
    """A stored plan."""
    return plan_record(session=session, plan_id=plan_id)


class ReplanIn(BaseModel):
    """What changed that the stored data does not know: drivers who are out, and the time."""

    model_config = ConfigDict(extra="forbid")

    absent: list[str] = Field(default=[], description="Drivers out for the rest of the day")
    at: AwareDatetime | None = Field(default=None, description="Re-plan as of (default: now)")


@router.post("/plans/{plan_id}/replan")
async def replan_routes(
    plan_id: RowId,
    *,
    planning: PlanningDep,
    sessions: SessionsDep,
    principal: Annotated[Principal, Depends(require_role(Role.DISPATCHER))],
    body: Annotated[ReplanIn | None, Body()] = None,
    seconds: Annotated[float, Query(gt=0, le=MAX_BUDGET_SECONDS)] = 10.0,
) -> dict[str, Any]:
    """Re-plan the rest of the plan's day (driver reports, new and cancelled orders, absent
    drivers); store the new plan, superseding this one, hand the stops that changed driver over
    (``assignments``: re-assigned, released, kept with the driver a dispatcher gave them during
    the re-plan, problems) and return it.

    Raises:
        NotFoundError: no such plan.
        InputError: the plan was superseded, has no stored day, or names an unknown driver.
        RetriableError: the plan's routing engine is down or busy, or a driver reported on a
            stop the new plan takes away from it (503; nothing is stored).
    """
    changes = body or ReplanIn()

    def run() -> dict[str, Any]:
        replanned = run_replan(
            planning=planning,
            plan_id=plan_id,
            now=changes.at or utcnow(),
            seconds=seconds,
            absent=changes.absent,
            actor=f"key:{principal.key_prefix}",
        )
        with sessions() as session:
            record = plan_record(session=session, plan_id=replanned.plan_id)
        return record | {"assignments": replanned.handover.as_json()}

    return await run_in_threadpool(run)


@router.get("/plans/{plan_id}/etas", dependencies=[Depends(require(Scope.ORDERS_READ))])
def get_etas(plan_id: RowId, session: SessionDep) -> dict[str, Any]:
    """Every routed stop's current ETA window, whether it is late, and the driver's last report."""
    return plan_etas(session=session, plan_id=plan_id)


@router.get(
    "/plans/{plan_id}/manifests/{driver_id}.json",
    dependencies=[Depends(require(Scope.ORDERS_READ))],
)
def get_manifest_json(
    plan_id: RowId, driver_id: str, vault: VaultDep, session: SessionDep
) -> dict[str, Any]:
    """The driver's manifest for the app: stops in order with current ETAs (no patient names)."""
    sheet, zone = stored_sheet(session, plan_id=plan_id, driver_id=driver_id, vault=vault)
    return manifest(sheet, zone=zone)


@router.get(
    "/plans/{plan_id}/manifests/{driver_id}.pdf",
    dependencies=[Depends(require(Scope.ORDERS_READ))],
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def get_manifest_pdf(
    plan_id: RowId, driver_id: str, vault: VaultDep, session: SessionDep
) -> Response:
    """The driver's manifest on paper (PDF)."""
    name = f"plan-{plan_id}-{driver_id}.pdf"
    return Response(
        stored_manifest_pdf(session, plan_id=plan_id, driver_id=driver_id, vault=vault),
        media_type="application/pdf",
        headers={"Content-Disposition": content_disposition(name, inline=True)},
    )
