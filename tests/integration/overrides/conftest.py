"""Override fixtures: the app deciding DEMO-RX-009 from live sandbox rates on the day it is
needed, with the demo site's courier, and keys holding roles."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import col

from finalmile.app import Services
from finalmile.auth import Role, Scope, create_key
from finalmile.cli.demo import demo_messages
from finalmile.config.settings import Settings
from finalmile.courier.day_from_orders import stored_day
from finalmile.courier.plan_store import plan_record
from finalmile.courier.planning_job import plan_day_file, store_plan
from finalmile.main import create_app
from finalmile.orders import Order
from finalmile.routing.travel import HAVERSINE
from finalmile.rules import DecisionRecord, current_decision
from finalmile_sandbox.server import SandboxServer
from tests.integration.shipments.conftest import carrier_config, sandbox  # noqa: F401

ORDER = "DEMO-RX-009"
#: 10:00 at the Cambridge pharmacy on the day the demo CSV (not re-dated) needs it by 17:00:
#: only the courier arrives in time, as after `make run` on the day the samples are dated to.
TUESDAY = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)
DAY = TUESDAY.date()
USPS_GROUND = {
    "carrier": "easypost",
    "service": "USPS:GroundAdvantage",
    "options": {"adult_signature": True},
}


@pytest.fixture
def api(settings: Settings, sandbox: SandboxServer) -> Iterator[TestClient]:  # noqa: F811
    """The app deciding from live sandbox rates, with the demo site's courier."""
    live = settings.model_copy(
        update={
            "carriers": carrier_config(sandbox, timeout_seconds=10.0),
            "shipment_lease_seconds": 30.0,
            "quotes": "live",
        }
    )
    with TestClient(create_app(live)) as client:
        services(client).decider.clock = lambda: TUESDAY
        yield client


def services(client: TestClient) -> Services:
    found: Services = client.app.state.services  # type: ignore[attr-defined]
    return found


def key(client: TestClient, *roles: Role, scope: Scope = Scope.ORDERS_WRITE) -> dict[str, str]:
    with services(client).sessions() as session, session.begin():
        issued = create_key(
            session=session, name="t", scopes=[scope, Scope.ORDERS_READ], roles=roles
        )
    return {"X-API-Key": issued.token}


def decided_and_planned(client: TestClient) -> tuple[int, int]:
    """DEMO-RX-009 stored from the demo CSV, decided for the courier and planned; the decision's
    and the plan's ids."""
    built = services(client)
    [raw] = demo_messages(".csv", days=0)
    summary = built.files.ingest_csv(io.BytesIO(raw), connector="default", name="demo.csv")
    assert summary.accepted == 2
    built.decider.decide_order(order_id=ORDER, connector="default", actor="test")
    text = stored_day(built.planning, DAY)
    assert text is not None
    outcome = plan_day_file(text, DAY, 0.3, travel_source=HAVERSINE)
    plan_id = store_plan(built.planning, text, DAY, 0.3, outcome, travel_source=HAVERSINE)
    with built.sessions() as session:
        record = current(session)
        assert ORDER in stops(plan_record(session=session, plan_id=plan_id))
    assert record.id is not None
    return record.id, plan_id


def current(session: Any) -> DecisionRecord:
    order = session.scalars(select(Order).where(col(Order.order_id) == ORDER)).one()
    record = current_decision(session=session, order_pk=order.id)
    assert record is not None
    return record


def stops(plan: dict[str, Any]) -> set[str]:
    routed = {s["order_id"] for r in plan["routes"] for s in r["stops"]}
    return routed | {u["order_id"] for u in plan["unassigned"]}
