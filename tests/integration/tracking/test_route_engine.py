"""Travel times from a routing engine (FINALMILE_ROUTING_TABLE_URL; a local fake OSRM table
service): a stored plan is priced on it and records it, its ETA updates and its re-plan use it
even once the configuration changed, and an engine that is down stores nothing (SQLite and
PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import col

from finalmile.app import Services, build_services
from finalmile.config.settings import Settings
from finalmile.courier.plan_store import plan_etas, plan_record
from finalmile.courier.plan_tables import RoutePlan
from finalmile.courier.planning_job import run_replan
from finalmile.main import create_app
from tests.integration.tracking.courier_day import DAY, deliver, plan_courier_day
from tests.integration.tracking.helpers import api_key
from tests.osrm_server import FakeOsrm

LEG = dt.timedelta(minutes=10)  # the fake engine's every trip
SERVICE = dt.timedelta(minutes=7)  # handover 4 min + signature 3 min


@pytest.fixture
def engine() -> Iterator[FakeOsrm]:
    with FakeOsrm(leg_seconds=int(LEG.total_seconds())) as fake:
        yield fake


@pytest.fixture
def engine_settings(track_settings: Settings, engine: FakeOsrm) -> Settings:
    return track_settings.model_copy(update={"routing_table_url": f"osrm+{engine.url}"})


@pytest.fixture
def on_engine(engine_settings: Settings) -> Iterator[Services]:
    """Services configured with the engine (``tracked``: the same database without it)."""
    built = build_services(engine_settings)
    yield built
    built.close()


def _times(stop: dict[str, Any], field: str) -> dt.datetime:
    return dt.datetime.fromisoformat(stop[field])


def _plans(services: Services) -> list[tuple[int | None, dt.datetime | None]]:
    with services.sessions() as session:
        rows = session.scalars(select(RoutePlan).order_by(col(RoutePlan.id))).all()
    return [(row.id, row.superseded_at) for row in rows]


def test_a_day_is_priced_on_its_plans_engine_from_plan_to_replan(
    on_engine: Services, tracked: Services, engine: FakeOsrm
) -> None:
    planned = plan_courier_day(on_engine)
    source = f"osrm+{engine.url}"
    record, route = planned["record"], planned["route"]
    assert record["travel_source"] == source and engine.requests
    for before, after in zip(route["stops"], route["stops"][1:], strict=False):
        assert _times(after, "arrival") - _times(before, "service_start") == SERVICE + LEG

    asked = len(engine.requests)
    delivered_at = deliver(on_engine, route["driver_id"], route["stops"][0], late=30)
    assert len(engine.requests) == asked + 2  # the arrival and the delivery re-timed the route
    with on_engine.sessions() as session:
        etas = plan_etas(session=session, plan_id=planned["plan_id"])
    (mine,) = [r for r in etas["routes"] if r["driver_id"] == route["driver_id"]]
    next_handover = delivered_at + LEG
    assert _times(mine["stops"][1]["eta"], "to") == next_handover + dt.timedelta(minutes=15)

    asked = len(engine.requests)
    replanned = run_replan(  # by a process configured without it: the plan's source counts
        planning=tracked.planning,
        plan_id=planned["plan_id"],
        now=delivered_at,
        seconds=0.3,
        actor="test",
    )
    with tracked.sessions() as session:
        new = plan_record(session=session, plan_id=replanned.plan_id)
    assert new["travel_source"] == source and len(engine.requests) == asked + 1


def test_an_engine_that_is_down_stores_nothing(
    on_engine: Services, engine_settings: Settings, engine: FakeOsrm
) -> None:
    planned = plan_courier_day(on_engine)
    route = planned["route"]
    before = _plans(on_engine)
    engine.down = True
    headers = api_key(on_engine)
    with TestClient(create_app(engine_settings)) as client:
        plan = client.post(f"/routes/plan?date={DAY.isoformat()}&seconds=0.3", headers=headers)
        replan = client.post(
            f"/routes/plans/{planned['plan_id']}/replan?seconds=0.3", json={}, headers=headers
        )
    for response in (plan, replan):
        assert response.status_code == 503, response.text
        assert response.headers["Retry-After"] == "5"
        message = response.json()["error"]["message"]
        assert message.startswith(f"travel times from osrm+{engine.url}: OSRM table: HTTP 503")
    assert _plans(on_engine) == before

    deliver(on_engine, route["driver_id"], route["stops"][0], late=0)  # the reports still count
    with on_engine.sessions() as session:
        etas = plan_etas(session=session, plan_id=planned["plan_id"])
    (mine,) = [r for r in etas["routes"] if r["driver_id"] == route["driver_id"]]
    assert mine["stops"][0]["reported"] == "delivered"
    assert all(s["eta_updated_at"] is None for s in mine["stops"][1:])
