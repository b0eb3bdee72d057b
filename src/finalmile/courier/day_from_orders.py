"""The courier day from stored data: decided courier orders become jobs, site fleets drivers.

An order is a job on ``date`` when it is received (not cancelled), its newest decision is
``courier`` and was made for its current version, and the decision's estimated delivery falls on
``date`` in the deciding site's time zone, or a failed delivery was put back on ``date``'s route
(``reattempts``: its window is then the day's courier shifts). Its window opens when the courier
run leaves (the decision's ``ship_at``, else its estimated delivery) and closes at the order's
``needed_by``, else at the end of the site's last courier shift that day. A job whose order has an
item with a DEA controlled-substance schedule needs a driver with the lockbox skill. Drivers come
from the ``courier.drivers`` list of each site file, on the days of the shift each one works. A
ship-to ZIP code with no known point makes the order ``unplaced``: reported unassigned with a
reason, never an error.

The result is day-file JSON (``dayfile``), so a stored day runs through the same child process
and checks as a day file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from finalmile.canonical import DispatchOrder
from finalmile.courier.dayfile import DayIn, DriverIn, JobIn, SiteIn, WindowIn
from finalmile.courier.geocode import zip_centroid
from finalmile.courier.planning import CourierPlanning
from finalmile.courier.reattempts import reattempts_on
from finalmile.errors import InputError
from finalmile.orders import Order, OrderItem, load_order
from finalmile.routing import Skill
from finalmile.rules import (
    WEEKDAYS,
    Decider,
    DecisionRecord,
    DeliveryType,
    SiteConfig,
    current_decision,
    list_current,
)

PAGE = 500


def stored_day(planning: CourierPlanning, date: dt.date) -> str | None:
    """Day-file JSON for ``date`` from stored courier decisions; ``None`` with no courier job."""
    decider = planning.decider
    jobs: list[JobIn] = []
    unplaced: list[str] = []
    sites: dict[str, SiteConfig] = {}
    with planning.sessions() as session:
        for record, row, reattempt in _due(session, decider, date):
            config = sites.get(record.site) or decider.catalog.site_config(record.site)
            sites[config.name] = config
            order = _order(session, decider, row)
            try:
                point = zip_centroid(order.ship_to.postal_code or "")
            except InputError:
                unplaced.append(order.order_id)
                continue
            window = _shifts(config, date) if reattempt else None
            window = window or _window(decider, record, order, config, date)
            jobs.append(
                JobIn(
                    order=order,
                    site_id=config.name,
                    windows=(window,),
                    lat=point.lat,
                    lon=point.lon,
                    controlled=order.controlled,
                )
            )
    if not jobs and not unplaced:
        return None
    day = DayIn(
        sites=tuple(_site(config) for config in sites.values()),
        drivers=tuple(d for config in sites.values() for d in _drivers(config, date)),
        jobs=tuple(jobs),
        unplaced=tuple(unplaced),
    )
    return day.model_dump_json()


def _due(
    session: Session, decider: Decider, date: dt.date
) -> Iterator[tuple[DecisionRecord, Order, bool]]:
    """Courier decisions estimated for ``date``, then the reattempts on ``date`` (flagged)."""
    seen: set[int | None] = set()
    for record, row in _current_courier(session):
        if record.estimated_delivery is None:
            continue
        zone = ZoneInfo(decider.catalog.site_config(record.site).timezone)
        if record.estimated_delivery.astimezone(zone).date() == date:
            seen.add(row.id)
            yield record, row, False
    for row in reattempts_on(session, date):
        assert row.id is not None
        found = current_decision(session=session, order_pk=row.id)
        if row.id not in seen and found is not None and found.delivery_type is DeliveryType.COURIER:
            yield found, row, True


def _current_courier(session: Session) -> Iterator[tuple[DecisionRecord, Order]]:
    before: int | None = None
    while True:
        page = list_current(
            session=session, delivery_type=DeliveryType.COURIER, limit=PAGE, before=before
        )
        for record, row in page:
            if record.order_version == row.version:
                yield record, row
        if len(page) < PAGE:
            return
        before = page[-1][0].id


def _order(session: Session, decider: Decider, row: Order) -> DispatchOrder:
    items = session.scalars(select(OrderItem).where(col(OrderItem.order_pk) == row.id))
    return load_order(row, list(items), vault=decider.vault)


def _window(
    decider: Decider,
    record: DecisionRecord,
    order: DispatchOrder,
    config: SiteConfig,
    date: dt.date,
) -> WindowIn:
    assert record.estimated_delivery is not None
    zone = ZoneInfo(config.timezone)
    ship_at = decider.read(record).get("ship_at")
    start = dt.datetime.fromisoformat(ship_at) if isinstance(ship_at, str) else None
    start = (start or record.estimated_delivery).astimezone(zone)
    end = (order.needed_by or _last_shift_end(config, date) or start).astimezone(zone)
    return WindowIn(start=start, end=max(start, end))


def _shifts(config: SiteConfig, date: dt.date) -> WindowIn | None:
    """From the first courier shift's start to the last one's end on ``date``."""
    assert config.courier is not None
    zone = ZoneInfo(config.timezone)
    running = [s for s in config.courier.shifts if WEEKDAYS[date.weekday()] in s.days]
    if not running:
        return None
    return WindowIn(
        start=dt.datetime.combine(date, min(s.start for s in running), zone),
        end=dt.datetime.combine(date, max(s.end for s in running), zone),
    )


def _last_shift_end(config: SiteConfig, date: dt.date) -> dt.datetime | None:
    assert config.courier is not None
    ends = [
        dt.datetime.combine(date, shift.end, ZoneInfo(config.timezone))
        for shift in config.courier.shifts
        if WEEKDAYS[date.weekday()] in shift.days
    ]
    return max(ends, default=None)


def _site(config: SiteConfig) -> SiteIn:
    point = zip_centroid(config.postal_code, location=f"site {config.name}: postal_code")
    return SiteIn(site_id=config.name, lat=point.lat, lon=point.lon, timezone=config.timezone)


def _drivers(config: SiteConfig, date: dt.date) -> Iterator[DriverIn]:
    assert config.courier is not None
    zone = ZoneInfo(config.timezone)
    shifts = {shift.name: shift for shift in config.courier.shifts}
    for driver in config.courier.drivers:
        shift = shifts[driver.shift]
        if WEEKDAYS[date.weekday()] not in shift.days:
            continue
        yield DriverIn(
            driver_id=driver.id,
            shift_start=dt.datetime.combine(date, shift.start, zone),
            shift_end=dt.datetime.combine(date, shift.end, zone),
            start_site=config.name,
            capacity=driver.capacity,
            cooler_capacity=driver.cooler_capacity,
            skills=tuple(Skill(skill) for skill in driver.skills),
        )
