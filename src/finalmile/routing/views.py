"""``/routes``: plan a courier day and read stored plans.

The search runs in a child process with its own time budget and the request waits for it on a
worker thread, so a long plan never holds intake's event loop or its interpreter lock.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query
from starlette.concurrency import run_in_threadpool

from finalmile.auth.models import Scope
from finalmile.deps import ServicesDep, SessionDep, require
from finalmile.routing.dayfile import DayIn, load_day
from finalmile.routing.jobs import plan_in_child, store_plan
from finalmile.routing.store import plan_record

router = APIRouter(prefix="/routes", tags=["routes"])

MAX_BUDGET_SECONDS = 120.0


@router.post("/plan", dependencies=[Depends(require(Scope.ORDERS_WRITE))])
async def plan_routes(
    services: ServicesDep,
    day: Annotated[DayIn, Body(description="Sites, drivers and courier jobs")],
    date: Annotated[dt.date, Query(description="The day to plan")],
    seconds: Annotated[float, Query(gt=0, le=MAX_BUDGET_SECONDS)] = 10.0,
) -> dict[str, Any]:
    """Plan ``date``'s routes, store and return the plan (routes, ETAs, unassigned, objective)."""
    text = day.model_dump_json()
    load_day(text, source="request body")  # reject bad input before starting a process

    def run() -> dict[str, Any]:
        plan_id = store_plan(services, text, date, seconds, plan_in_child(text, date, seconds))
        with services.sessions() as session:
            return plan_record(session=session, plan_id=plan_id)

    return await run_in_threadpool(run)


@router.get("/plans/{plan_id}", dependencies=[Depends(require(Scope.ORDERS_READ))])
def get_plan(plan_id: int, session: SessionDep) -> dict[str, Any]:
    """A stored plan."""
    return plan_record(session=session, plan_id=plan_id)
