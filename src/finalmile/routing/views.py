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
from finalmile.errors import NotFoundError
from finalmile.routing.dayfile import DayIn, load_day
from finalmile.routing.jobs import plan_in_child, store_plan
from finalmile.routing.store import plan_record
from finalmile.routing.stored import stored_day

router = APIRouter(prefix="/routes", tags=["routes"])

MAX_BUDGET_SECONDS = 120.0


@router.post("/plan", dependencies=[Depends(require(Scope.ORDERS_WRITE))])
async def plan_routes(
    services: ServicesDep,
    date: Annotated[dt.date, Query(description="The day to plan")],
    day: Annotated[
        DayIn | None,
        Body(description="Sites, drivers and courier jobs; none: the stored courier decisions"),
    ] = None,
    seconds: Annotated[float, Query(gt=0, le=MAX_BUDGET_SECONDS)] = 10.0,
) -> dict[str, Any]:
    """Plan ``date``'s routes, store and return the plan (routes, ETAs, unassigned, objective).

    Raises:
        NotFoundError: no day given and no stored courier order is due on ``date``.
    """
    if day is None:
        stored = await run_in_threadpool(stored_day, services, date)
        if stored is None:
            raise NotFoundError(f"no courier orders to plan on {date.isoformat()}")
        text, source = stored, "stored courier day"
    else:
        text, source = day.model_dump_json(), "request body"
    load_day(text, source=source)  # reject bad input before starting a process

    def run() -> dict[str, Any]:
        plan_id = store_plan(services, text, date, seconds, plan_in_child(text, date, seconds))
        with services.sessions() as session:
            return plan_record(session=session, plan_id=plan_id)

    return await run_in_threadpool(run)


@router.get("/plans/{plan_id}", dependencies=[Depends(require(Scope.ORDERS_READ))])
def get_plan(plan_id: int, session: SessionDep) -> dict[str, Any]:
    """A stored plan."""
    return plan_record(session=session, plan_id=plan_id)
