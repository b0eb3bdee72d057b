"""A stored plan as the console draws it: the plan's routes and stops (``plan_record``) with
where each stop and each pharmacy is, from the day the plan was made from."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from finalmile.courier.plan_days import plan_day
from finalmile.courier.plan_store import get_plan, plan_record
from finalmile.courier.plan_tables import RoutePlan
from finalmile.vault import Vault


def current_plan_id(session: Session, date: dt.date) -> int | None:
    """The plan in force for ``date`` (the newest not superseded), if any."""
    found = session.scalar(
        select(col(RoutePlan.id))
        .where(col(RoutePlan.plan_date) == date, col(RoutePlan.superseded_at).is_(None))
        .order_by(col(RoutePlan.id).desc())
        .limit(1)
    )
    return None if found is None else int(found)


def plan_map(session: Session, *, plan_id: int, vault: Vault) -> dict[str, Any]:
    """``plan_record`` plus ``sites`` and each stop's ``lat``/``lon`` (None when the plan was
    stored without its day)."""
    record = plan_record(session=session, plan_id=plan_id)
    row = get_plan(session, plan_id)
    if row.day_encrypted is None:
        return {**record, "sites": []}
    problem = plan_day(row, vault).problem
    where = {stop.stop_id: stop.location for stop in problem.stops}
    for route in record["routes"]:
        for stop in route["stops"]:
            point = where.get(stop["order_id"])
            stop["lat"], stop["lon"] = (point.lat, point.lon) if point else (None, None)
    sites = [
        {"site_id": site.site_id, "lat": site.location.lat, "lon": site.location.lon}
        for site in problem.sites
    ]
    return {**record, "sites": sites}
