"""The manifests of a stored plan: each route's stops in order with their current ETA windows
(re-timed as drivers report progress), and the jobs from the day the plan was made from."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from finalmile.courier.manifest import RouteSheet, SheetStop
from finalmile.courier.plan_days import plan_day
from finalmile.courier.plan_store import get_plan, route_stops
from finalmile.courier.plan_tables import PlannedRoute
from finalmile.errors import NotFoundError
from finalmile.vault import Vault


def stored_sheet(
    session: Session, *, plan_id: int, driver_id: str, vault: Vault
) -> tuple[RouteSheet, ZoneInfo]:
    """The sheet of ``driver_id``'s route in plan ``plan_id`` and its site's time zone.

    Raises:
        NotFoundError: no such plan, or the driver has no route in it.
        InputError: the plan was stored without its day.
    """
    row = get_plan(session, plan_id)
    route = session.scalars(
        select(PlannedRoute).where(
            col(PlannedRoute.plan_id) == plan_id, col(PlannedRoute.driver_id) == driver_id
        )
    ).first()
    if route is None or route.id is None:
        raise NotFoundError(f"driver {driver_id!r} has no route in plan {plan_id}")
    day = plan_day(row, vault)
    site_id = next(d.start_site for d in day.problem.drivers if d.driver_id == driver_id)
    lines = []
    for stop in route_stops(session, route.id):
        job = day.jobs[stop.order_id]
        assert stop.sequence is not None and stop.eta_from and stop.eta_to
        zone = job.windows[0].start.tzinfo
        eta = (stop.eta_from.astimezone(zone), stop.eta_to.astimezone(zone))
        lines.append(SheetStop(stop.sequence, job, eta))
    sheet = RouteSheet(
        driver_id=driver_id,
        site_id=site_id,
        departure=route.departure,
        return_time=route.return_time,
        distance_m=route.distance_m,
        breaks=tuple(
            (dt.datetime.fromisoformat(b["from"]), dt.datetime.fromisoformat(b["to"]))
            for b in route.breaks
        ),
        stops=tuple(lines),
    )
    return sheet, ZoneInfo(day.site_zones[site_id])


def stored_manifest_pdf(session: Session, *, plan_id: int, driver_id: str, vault: Vault) -> bytes:
    """The driver's manifest of a stored plan on paper (PDF).

    Raises:
        NotFoundError: no such plan, or the driver has no route in it.
    """
    # Deferred: fpdf is slow to import and only rendering needs it.
    from finalmile.courier.manifest_pdf import manifest_pdf  # noqa: PLC0415

    sheet, zone = stored_sheet(session, plan_id=plan_id, driver_id=driver_id, vault=vault)
    return manifest_pdf(sheet, zone=zone)
