"""``finalmile drivers``: tokens shown once, revocation, and stops assigned by order or by plan."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from finalmile.cli import app
from finalmile.config.settings import Settings
from finalmile.db import transaction
from finalmile.main import create_app
from finalmile.routing.models import PlannedRoute, PlannedStop, RoutePlan
from finalmile.services import Services
from tests.integration.shipments.conftest import ingest_orders

runner = CliRunner()
T0 = dt.datetime(2026, 11, 21, 13, tzinfo=dt.UTC)


def _plan(services: Services, routes: dict[str, list[str]], unrouted: list[str]) -> int:
    """A stored route plan: each driver's orders in sequence, and unassigned orders."""
    with transaction(services.sessions) as session:
        plan = RoutePlan(
            plan_date=T0.date(),
            created_at=T0,
            objective=1,
            distance_m=1,
            feasible=True,
            budget_seconds=1.0,
        )
        session.add(plan)
        session.flush()
        assert plan.id is not None
        for driver_id, orders in routes.items():
            route = PlannedRoute(
                plan_id=plan.id,
                driver_id=driver_id,
                departure=T0,
                return_time=T0 + dt.timedelta(hours=8),
                distance_m=1,
                breaks=[],
            )
            session.add(route)
            session.flush()
            for sequence, order_id in enumerate(orders, start=1):
                session.add(
                    PlannedStop(
                        plan_id=plan.id, route_id=route.id, order_id=order_id, sequence=sequence
                    )
                )
        for order_id in unrouted:
            session.add(
                PlannedStop(plan_id=plan.id, order_id=order_id, unassigned_reason="deferred")
            )
        return plan.id


@pytest.mark.usefixtures("cli_env")
def test_drivers_commands(track_settings: Settings, tracked: Services) -> None:
    orders = ingest_orders(tracked, 4, start=1300)
    for order_id in orders[:3]:
        tracked.shipments.buy(order_id=order_id, account="drivers")
    plan_id = _plan(tracked, {"A1": [orders[0], orders[3]], "B2": [orders[1]]}, [orders[2]])

    created = runner.invoke(app, ["drivers", "create", "A1", "--name", "Ana One"])
    ben = runner.invoke(app, ["drivers", "create", "B2", "--name", "Ben Two"]).stdout.strip()
    twice = runner.invoke(app, ["drivers", "create", "A1", "--name", "Again"])
    by_plan = runner.invoke(app, ["drivers", "assign", "--plan", str(plan_id)])
    by_order = runner.invoke(app, ["drivers", "assign", "B2", orders[2]])
    listed = runner.invoke(app, ["drivers", "list"])
    rotated = runner.invoke(app, ["drivers", "token", "A1"])
    revoked = runner.invoke(app, ["drivers", "revoke", "B2"])

    token = created.stdout.strip()
    assert created.exit_code == 0 and token.startswith("fmd_")
    assert twice.exit_code == 1 and "exists already" in twice.stderr
    assert by_plan.exit_code == 3
    assert "assigned 2 stop(s)" in by_plan.stdout
    assert f"{orders[3]}: " in by_plan.stderr  # routed, but no courier shipment
    assert by_order.exit_code == 0
    assert [line.split("\t")[0] for line in listed.stdout.splitlines()] == ["A1", "B2"]
    with TestClient(create_app(track_settings)) as api:
        old = api.get("/driver/stops", headers={"Authorization": f"Bearer {token}"})
        new_token = rotated.stdout.strip()
        stops = api.get("/driver/stops", headers={"Authorization": f"Bearer {new_token}"})
        b2 = api.get("/driver/stops", headers={"Authorization": f"Bearer {ben}"})
    assert old.status_code == 401
    assert [s["order_id"] for s in stops.json()] == [orders[0]]
    assert b2.status_code == 401
    assert revoked.exit_code == 0 and "revoked B2" in revoked.stdout
