"""A planned courier day for the route-progress tests: four courier orders decided, planned with
the configured travel source, stored, shipped and assigned to registered drivers; and the driver
app's side (reports, stop lists)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from finalmile.app import Services
from finalmile.courier import assignments, driver_stops, drivers
from finalmile.courier.day_from_orders import stored_day
from finalmile.courier.driver_payloads import DriverUpdateIn
from finalmile.courier.driver_tables import Driver
from finalmile.courier.driver_updates import UpdateResult
from finalmile.courier.plan_store import plan_record
from finalmile.courier.planning_job import plan_day_file, store_plan
from finalmile.db import transaction
from finalmile.routing.travel import configured
from tests.hl7_builder import rde

TUESDAY = dt.datetime(2026, 11, 17, 15, 0, tzinfo=dt.UTC)  # 10:00 in Cambridge MA
DAY = dt.date(2026, 11, 17)
ORDERS = ("RX-R1", "RX-R2", "RX-R3", "RX-R4")


def courier_order(n: int, order_id: str) -> bytes:
    """A courier order (the demo rules send Cambridge orders by courier), cold when ``n`` is odd."""
    return rde(f"M{n}", order_id, storage="R" if n % 2 else "A")


def plan_courier_day(services: Services) -> dict[str, Any]:
    """Four courier orders decided for DAY, planned and stored, shipped with the planned drivers:
    the plan's id and record, its longest route, and the drivers' app tokens."""
    services.decider.clock = lambda: TUESDAY
    raws = [courier_order(n, order_id) for n, order_id in enumerate(ORDERS, start=1)]
    services.intake.ingest_hl7(raws, connector="default")
    services.decider.decide_backlog()
    text = stored_day(services.planning, DAY)
    assert text is not None
    travel = configured(services.settings.routing_table_url)
    outcome = plan_day_file(text, DAY, 0.3, travel_source=travel)
    plan_id = store_plan(services.planning, text, DAY, 0.3, outcome, travel_source=travel)
    with services.sessions() as session:
        record = plan_record(session=session, plan_id=plan_id)
    assert record["feasible"] and not record["unassigned"], record
    for order_id in ORDERS:
        services.shipments.buy(order_id=order_id, account="drivers")
    with transaction(services.sessions) as session:
        tokens = {
            driver_id: drivers.create_driver(
                session=session, driver_id=driver_id, name="N", actor="t"
            ).token
            for driver_id in ("d1", "d2", "d3")
        }
        assigned, problems = assignments.assign_plan(session=session, plan_id=plan_id, actor="t")
    assert (assigned, problems) == (4, [])
    route = max(record["routes"], key=lambda r: len(r["stops"]))
    return {"plan_id": plan_id, "record": record, "route": route, "tokens": tokens}


def report(
    services: Services, driver_id: str, order_id: str, kind: str, at: dt.datetime, **extra: Any
) -> None:
    """The driver's app reports ``kind`` on the order's stop; it must be applied."""
    with services.sessions() as session:
        driver = drivers.get_driver(session=session, driver_id=driver_id)
        stop = next(
            s.key
            for s in driver_stops.stops_of(session=session, driver=driver)
            if s.order_id == order_id
        )
    result = send(services, driver, stop, kind, at, **extra)
    assert result.outcome == "applied", result


def send(
    services: Services, driver: Driver, stop: str, kind: str, at: dt.datetime, **extra: Any
) -> UpdateResult:
    """One update from ``driver``'s app about ``stop`` (a shipment key)."""
    update = DriverUpdateIn.model_validate(
        {
            "client_id": f"{driver.driver_id}-{stop}-{kind}",
            "stop": stop,
            "kind": kind,
            "occurred_at": at.isoformat(),
            **extra,
        }
    )
    assert driver.id is not None
    (result,) = services.driver_updates.apply(driver_pk=driver.id, updates=[update], now=at)
    return result


def arrival(stop: dict[str, Any], minutes: int = 0) -> dt.datetime:
    """A planned stop's arrival, plus ``minutes``."""
    return dt.datetime.fromisoformat(stop["arrival"]) + dt.timedelta(minutes=minutes)


def deliver(services: Services, driver_id: str, stop: dict[str, Any], late: int) -> dt.datetime:
    """Arrive ``late`` minutes after the planned arrival and deliver 6 minutes later."""
    report(services, driver_id, stop["order_id"], "arrived", arrival(stop, late))
    report(services, driver_id, stop["order_id"], "delivered", arrival(stop, late + 6))
    return arrival(stop, late + 6)


def carried(services: Services) -> dict[str, set[str]]:
    """Each registered driver's stops (order ids) as its app lists them (``stops_of``)."""
    with services.sessions() as session:
        return {
            driver.driver_id: {
                s.order_id for s in driver_stops.stops_of(session=session, driver=driver)
            }
            for driver in drivers.list_drivers(session=session)
        }


def routed(record: dict[str, Any], everyone: Iterable[str]) -> dict[str, set[str]]:
    """Each of ``everyone``'s stops (order ids) in a plan record (none without a route)."""
    routes = {r["driver_id"]: {s["order_id"] for s in r["stops"]} for r in record["routes"]}
    return {driver_id: routes.get(driver_id, set()) for driver_id in everyone}
