"""``/console/routes``: each driver's route of the day on a map and as a list of stops with their
current ETAs and what drivers reported, orders left unassigned, planning the day, and manifests.

The map is Leaflet, served by finalmile. Without ``FINALMILE_MAP_TILES_URL`` it draws routes on a
plain background (no tile is fetched from anywhere); with it, on that tile server's map.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from finalmile.auth import Role
from finalmile.config import Settings
from finalmile.console.session import UserDep, check_csrf, require_roles
from finalmile.console.templating import SECURITY_HEADERS, render
from finalmile.courier import (
    CourierPlanning,
    current_plan_id,
    plan_map,
    plan_stored_day,
    stored_manifest_pdf,
)
from finalmile.deps import SessionDep, content_disposition, provided
from finalmile.errors import FinalmileError
from finalmile.vault import Vault

router = APIRouter(include_in_schema=False)
SettingsDep = Annotated[Settings, Depends(provided(Settings))]
VaultDep = Annotated[Vault, Depends(provided(Vault))]
PlanningDep = Annotated[CourierPlanning, Depends(provided(CourierPlanning))]
#: How long the console lets the route search run (the page shows its progress meanwhile).
PLAN_SECONDS = 10.0
ROUTE_ROLES = (Role.DISPATCHER, Role.PHARMACIST)


@router.get("/console/routes", response_class=HTMLResponse)
def routes_page(
    *,
    request: Request,
    user: UserDep,
    session: SessionDep,
    vault: VaultDep,
    settings: SettingsDep,
    day: dt.date | None = None,
    notice: str | None = None,
    error: str | None = None,
) -> HTMLResponse:
    """The day's plan in force: the map, each route's stops, the unassigned orders."""
    require_roles(user, *ROUTE_ROLES)
    day = day or dt.datetime.now(ZoneInfo(settings.timezone)).date()
    plan_id = current_plan_id(session, day)
    plan: dict[str, Any] | None = None
    if plan_id is not None:
        plan = plan_map(session, plan_id=plan_id, vault=vault)
    response = render(
        request,
        "routes.html",
        user=user,
        nav="routes",
        day=day,
        plan=plan,
        map_data=json.dumps(plan or {}).replace("<", "\\u003c"),
        tiles=settings.map_tiles_url or "",
        seconds=PLAN_SECONDS,
        notice=notice,
        error=error,
    )
    if settings.map_tiles_url:  # the tile server's images may load, nothing else
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(settings.map_tiles_url))
        policy = SECURITY_HEADERS["Content-Security-Policy"].replace(
            "img-src 'self'", f"img-src 'self' {origin}"
        )
        response.headers["Content-Security-Policy"] = policy
    return response


@router.post("/console/routes/plan")
async def plan_day(
    *,
    request: Request,
    user: UserDep,
    planning: PlanningDep,
    day: Annotated[dt.date, Form()],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Plan ``day`` from the stored courier decisions (the same search as ``POST /routes/plan``)."""
    check_csrf(user, request, csrf_token)
    require_roles(user, Role.DISPATCHER)
    try:
        plan_id = await run_in_threadpool(plan_stored_day, planning, day, PLAN_SECONDS)
    except FinalmileError as problem:
        target = f"/console/routes?day={day.isoformat()}&error={quote(str(problem))}"
        return RedirectResponse(target, status_code=303)
    said = quote(f"plan {plan_id} stored for {day.isoformat()}")
    return RedirectResponse(f"/console/routes?day={day.isoformat()}&notice={said}", 303)


@router.get("/console/routes/plans/{plan_id}/manifests/{driver_id}.pdf")
def manifest(
    *, plan_id: int, driver_id: str, user: UserDep, session: SessionDep, vault: VaultDep
) -> Response:
    """A driver's manifest on paper."""
    require_roles(user, *ROUTE_ROLES)
    pdf = stored_manifest_pdf(session, plan_id=plan_id, driver_id=driver_id, vault=vault)
    name = f"plan-{plan_id}-{driver_id}.pdf"
    headers = {**SECURITY_HEADERS, "Content-Disposition": content_disposition(name, inline=True)}
    return Response(pdf, media_type="application/pdf", headers=headers)
