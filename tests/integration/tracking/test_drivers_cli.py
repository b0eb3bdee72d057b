"""``finalmile drivers``: tokens shown once, revocation, and stops assigned by order or by plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from finalmile.app import Services
from finalmile.audit import AuditEvent, history
from finalmile.cli import app
from finalmile.config.settings import Settings
from finalmile.courier import assignments, driver_stops, drivers
from finalmile.courier.handover import Handover, Kept, Reassigned, Released, hand_over
from finalmile.courier.plan_tables import PlannedRoute, PlannedStop, RoutePlan
from finalmile.db import transaction
from finalmile.main import create_app
from tests.integration.shipments.conftest import ingest_orders

runner = CliRunner()
T0 = dt.datetime(2026, 11, 21, 13, tzinfo=dt.UTC)


def _plan(
    services: Services,
    routes: dict[str, list[str]],
    unrouted: dict[str, str],
    *,
    visited: Collection[str] = (),
) -> int:
    """A stored route plan: each driver's orders in sequence (``visited`` ones reported
    delivered), and unassigned orders with their reason."""
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
                        plan_id=plan.id,
                        route_id=route.id,
                        order_id=order_id,
                        sequence=sequence,
                        reported="delivered" if order_id in visited else None,
                    )
                )
        for order_id, reason in unrouted.items():
            session.add(PlannedStop(plan_id=plan.id, order_id=order_id, unassigned_reason=reason))
        return plan.id


@pytest.mark.usefixtures("cli_env")
def test_drivers_commands(track_settings: Settings, tracked: Services) -> None:
    orders = ingest_orders(tracked, 4, start=1300)
    for order_id in orders[:3]:
        tracked.shipments.buy(order_id=order_id, account="drivers")
    plan_id = _plan(
        tracked, {"A1": [orders[0], orders[3]], "B2": [orders[1]]}, {orders[2]: "deferred"}
    )

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


def test_a_replan_hands_over_only_the_stops_whose_driver_changed(tracked: Services) -> None:
    """``hand_over`` between two stored plans: moved and newly routed stops go to their new
    driver, visited and unchanged ones stay (a hand-made assignment too), dropped ones are taken
    back unless on board, and what cannot be handed over is reported."""
    o = ingest_orders(tracked, 9, start=1400)
    for order_id in o[:8]:
        tracked.shipments.buy(order_id=order_id, account="drivers")
    with transaction(tracked.sessions) as session:
        for driver_id in ("A1", "B2"):
            drivers.create_driver(session=session, driver_id=driver_id, name=driver_id, actor="t")
    old = _plan(
        tracked, {"A1": [o[0], o[1], o[2], o[5], o[7]], "B2": [o[3], o[6]]}, {o[4]: "no_room"}
    )
    with transaction(tracked.sessions) as session:
        assignments.assign_plan(session=session, plan_id=old, actor="t")
        assignments.assign_order(
            session=session, driver_id="A1", order_id=o[3], connector=None, actor="t"
        )
    new = _plan(
        tracked,
        {"A1": [o[0]], "B2": [o[3], o[1], o[4], o[8]], "C3": [o[2]]},
        {o[5]: "no_room", o[6]: "unreachable"},
        visited={o[0]},
    )
    with transaction(tracked.sessions) as session:
        handover = hand_over(
            session,
            old_plan_id=old,
            new_plan_id=new,
            cancelled=[o[7]],
            on_board={o[5]: "A1"},
            searched=_assignments(session, o),
            actor="dispatch",
        )
    assert handover == Handover(
        reassigned=(Reassigned(o[1], "A1", "B2"), Reassigned(o[4], None, "B2")),
        released=(Released(o[6], "B2", "unreachable"), Released(o[7], "A1", "cancelled")),
        problems=(
            f"{o[2]}: no driver 'C3' is registered (finalmile drivers create)",
            f"{o[5]}: left unassigned (no_room) but on board with A1; it stays assigned to A1",
            f"{o[8]}: no purchased courier shipment to hand over",
        ),
    )
    with tracked.sessions() as session:
        carried = {
            d.driver_id: {s.order_id for s in driver_stops.stops_of(session=session, driver=d)}
            for d in drivers.list_drivers(session=session)
        }
        audit = [
            (e.action, e.detail["order_id"], e.detail["plan_id"], e.actor)
            for driver_id in ("A1", "B2")
            for e in history(session, entity="driver", entity_id=driver_id)
            if e.detail.get("plan_id") == new
        ]
    assert carried == {"A1": {o[0], o[2], o[3], o[5]}, "B2": {o[1], o[4]}}
    assert sorted(audit) == sorted(
        [
            ("unassigned", o[7], new, "dispatch"),
            ("assigned", o[1], new, "dispatch"),
            ("assigned", o[4], new, "dispatch"),
            ("unassigned", o[6], new, "dispatch"),
        ]
    )


def test_a_replan_keeps_the_stops_a_dispatcher_assigned_during_its_search(
    tracked: Services,
) -> None:
    """Assignments made after the search started win over the new plan: a stop it moves or
    drops stays with the dispatcher's driver (kept, audited on that driver); one the dispatcher
    gave the plan's own driver needs nothing; the other stops are handed over as usual."""
    o = ingest_orders(tracked, 4, start=1500)
    for order_id in o:
        tracked.shipments.buy(order_id=order_id, account="drivers")
    with transaction(tracked.sessions) as session:
        for driver_id in ("A1", "B2", "C3"):
            drivers.create_driver(session=session, driver_id=driver_id, name=driver_id, actor="t")
    old = _plan(tracked, {"A1": [o[0], o[1], o[2]], "B2": [o[3]]}, {})
    with transaction(tracked.sessions) as session:
        assignments.assign_plan(session=session, plan_id=old, actor="t")
        searched = _assignments(session, o)
    with transaction(tracked.sessions) as session:  # while the re-plan searches
        assignments.assign_orders(
            session=session, driver_id="C3", order_ids=[o[0]], connector=None, actor="key:disp"
        )
        assignments.assign_orders(
            session=session, driver_id="B2", order_ids=[o[1]], connector=None, actor="key:disp"
        )
        assignments.assign_orders(
            session=session, driver_id="A1", order_ids=[o[3]], connector=None, actor="key:disp"
        )
    new = _plan(tracked, {"B2": [o[0], o[1]], "C3": [o[2]]}, {})
    with transaction(tracked.sessions) as session:
        handover = hand_over(
            session,
            old_plan_id=old,
            new_plan_id=new,
            cancelled=[o[3]],
            on_board={},
            searched=searched,
            actor="replan",
        )
    assert handover == Handover(
        reassigned=(Reassigned(o[2], "A1", "C3"),),
        kept=(Kept(o[0], "C3", "B2", "key:disp"), Kept(o[3], "A1", None, "key:disp")),
    )
    assert handover.as_json()["kept"] == [
        {"order_id": o[0], "with": "C3", "planned": "B2", "assigned_by": "key:disp"},
        {"order_id": o[3], "with": "A1", "planned": None, "assigned_by": "key:disp"},
    ]
    with tracked.sessions() as session:
        carried = {
            d.driver_id: {s.order_id for s in driver_stops.stops_of(session=session, driver=d)}
            for d in drivers.list_drivers(session=session)
        }
        trail = {
            driver_id: [
                _entry(e)
                for e in history(session, entity="driver", entity_id=driver_id)
                if e.action != "created" and e.actor != "t"
            ]
            for driver_id in ("A1", "B2", "C3")
        }
    assert carried == {"A1": {o[3]}, "B2": {o[1]}, "C3": {o[0], o[2]}}
    assert trail == {
        "A1": [
            ("assigned", "key:disp", o[3], "B2", "-", None),
            ("kept", "replan", o[3], "-", None, new),
        ],
        "B2": [("assigned", "key:disp", o[1], "A1", "-", None)],
        "C3": [
            ("assigned", "key:disp", o[0], "A1", "-", None),
            ("kept", "replan", o[0], "-", "B2", new),
            ("assigned", "replan", o[2], "A1", "-", new),
        ],
    }


def _assignments(session: Session, order_ids: Iterable[str]) -> set[assignments.Assignment]:
    """The orders' stop assignments as a re-plan's search starts from them."""
    return set(
        assignments.assignments_of(
            session, assignments.courier_shipments(session, order_ids)
        ).values()
    )


def _entry(event: AuditEvent) -> tuple[object, ...]:
    """An assignment audit row: action, actor, order, previous driver, planned driver, plan."""
    detail = event.detail
    return (
        event.action,
        event.actor,
        detail["order_id"],
        detail.get("previous", "-"),
        detail.get("planned", "-"),
        detail.get("plan_id"),
    )
