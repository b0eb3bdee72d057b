"""``/routes``: plan a courier day and read stored plans.

The search runs in a child process with its own time budget, so a long plan never holds the
interpreter lock that intake's event loop needs (PyVRP's search loop is mostly Python).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query

from finalmile.auth.models import Scope
from finalmile.deps import ServicesDep, SessionDep, require
from finalmile.routing.check import CheckReport, check_plan
from finalmile.routing.dayfile import DayIn, load_day
from finalmile.routing.matrix import HaversineProvider
from finalmile.routing.plan import Plan
from finalmile.routing.solve import Budget, plan
from finalmile.routing.store import plan_record, save_plan

router = APIRouter(prefix="/routes", tags=["routes"])

MAX_BUDGET_SECONDS = 120.0


def plan_day_file(text: str, date: dt.date, seconds: float) -> tuple[Plan, CheckReport]:
    """Parse, plan and check one day (runs in the child process)."""
    day = load_day(text, source="request body").on(date)
    matrix = HaversineProvider().matrix(day.problem.points())
    result = plan(day.problem, matrix, Budget(seconds=seconds))
    return result, check_plan(day.problem, result, matrix)


@router.post("/plan", dependencies=[Depends(require(Scope.ORDERS_WRITE))])
async def plan_routes(
    services: ServicesDep,
    day: Annotated[DayIn, Body(description="Sites, drivers and courier jobs")],
    date: Annotated[dt.date, Query(description="The day to plan")],
    seconds: Annotated[float, Query(gt=0, le=MAX_BUDGET_SECONDS)] = 10.0,
) -> dict[str, Any]:
    """Plan ``date``'s routes, store and return the plan (routes, ETAs, unassigned, objective)."""
    text = day.model_dump_json()
    jobs = load_day(text, source="request body").on(date).jobs
    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        result, report = await loop.run_in_executor(pool, plan_day_file, text, date, seconds)
    with services.sessions() as session, session.begin():
        plan_id = save_plan(
            session=session,
            plan_date=date,
            plan=result,
            report=report,
            jobs=jobs,
            budget_seconds=seconds,
        )
    with services.sessions() as session:
        return plan_record(session=session, plan_id=plan_id)


@router.get("/plans/{plan_id}", dependencies=[Depends(require(Scope.ORDERS_READ))])
def get_plan(plan_id: int, session: SessionDep) -> dict[str, Any]:
    """A stored plan."""
    return plan_record(session=session, plan_id=plan_id)
