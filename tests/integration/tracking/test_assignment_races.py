"""A dispatcher's stop assignment racing a re-plan: whichever transaction reaches the stop's row
lock first, the dispatcher's choice stands, a re-plan that finds it reports it as kept, and the
two cannot deadlock (SQLite and PostgreSQL; where the test must see a transaction wait on a row
lock, PostgreSQL only)."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from finalmile.app import Services
from finalmile.audit import history
from finalmile.cli import app
from finalmile.config.settings import Settings
from finalmile.courier import assignments, drivers
from finalmile.courier.driver_tables import Driver
from finalmile.courier.handover import Reassigned
from finalmile.courier.plan_store import plan_record
from finalmile.courier.plan_tables import RoutePlan
from finalmile.courier.planning_job import replan_rest
from finalmile.courier.rest_of_day import RestOfDay, rest_of_day
from finalmile.courier.supersede import Replanned, store_replan
from finalmile.db import transaction
from finalmile.main import create_app
from finalmile.routing.check import CheckReport
from finalmile.routing.plan import Plan
from finalmile.shipments.models import Shipment
from tests.integration.tracking.courier_day import ORDERS, carried, plan_courier_day, routed
from tests.integration.tracking.helpers import api_key
from tests.integration.tracking.row_locks import backend, in_thread, until_blocked_by

BACKUP = "d4"
"""A driver registered after the plan: no plan routes a stop to it, only a dispatcher can."""


@pytest.fixture
def planned(tracked: Services) -> dict[str, Any]:
    """The planned courier day (``courier_day``) and a backup driver outside the plan."""
    day = plan_courier_day(tracked)
    with transaction(tracked.sessions) as session:
        drivers.create_driver(session=session, driver_id=BACKUP, name="Backup", actor="t")
    return day


def _postgresql(services: Services) -> None:
    if services.engine.dialect.name != "postgresql":
        pytest.skip("waits on a row lock that the test must see: PostgreSQL only")


def _searched(
    tracked: Services, planned: dict[str, Any]
) -> tuple[RestOfDay, tuple[Plan, CheckReport], str, str | None]:
    """A re-plan of the day with the longest route's driver absent, searched and not stored:
    its rest of day and outcome, a stop it moves away from that driver, and the driver (or
    ``None``) the new plan gives that stop."""
    route = planned["route"]
    departure = dt.datetime.fromisoformat(route["departure"])
    with tracked.sessions() as session:
        rest = rest_of_day(
            session,
            plan_id=planned["plan_id"],
            vault=tracked.vault,
            now=departure,
            absent=[route["driver_id"]],
        )
    outcome = replan_rest(rest, 0.3)
    new_route = {v.stop_id: r.driver_id for r in outcome[0].routes for v in r.visits}
    order_id = route["stops"][0]["order_id"]
    return rest, outcome, order_id, new_route.get(order_id)


def test_an_assignment_the_replan_waits_for_is_kept(
    tracked: Services, planned: dict[str, Any]
) -> None:
    """A dispatcher gives a stop to the backup driver while the re-plan searches; its transaction
    still holds the stop's lock when the re-plan stores. The re-plan waits for it, keeps the stop
    with the backup driver (reported and audited as kept), and hands the rest over as planned."""
    rest, outcome, order_id, planned_to = _searched(tracked, planned)
    storer, stored = in_thread(
        lambda: store_replan(tracked, rest, outcome, seconds=0.3, actor="replan")
    )
    with transaction(tracked.sessions) as session:
        assignments.assign_order(
            session=session, driver_id=BACKUP, order_id=order_id, connector=None, actor="key:disp"
        )
        storer.start()
        until_blocked_by(tracked, backend(session), storer)
    storer.join(120)
    (replanned,) = stored
    assert isinstance(replanned, Replanned), replanned
    with tracked.sessions() as session:
        new = plan_record(session=session, plan_id=replanned.plan_id)
        trail = [
            (e.action, e.actor, e.detail.get("plan_id"), e.detail.get("planned", "-"))
            for e in history(session, entity="driver", entity_id=BACKUP)
            if e.detail.get("order_id") == order_id
        ]
    expected = routed(new, planned["tokens"]) | {BACKUP: {order_id}}
    if planned_to is not None:
        expected[planned_to] = expected[planned_to] - {order_id}
    assert carried(tracked) == expected
    handover = replanned.handover.as_json()
    assert handover["kept"] == [
        {"order_id": order_id, "with": BACKUP, "planned": planned_to, "assigned_by": "key:disp"}
    ]
    assert order_id not in {r["order_id"] for r in handover["reassigned"]}
    assert order_id not in {r["order_id"] for r in handover["released"]}
    assert trail == [
        ("assigned", "key:disp", None, "-"),
        ("kept", "replan", replanned.plan_id, planned_to),
    ]


def test_an_assignment_that_waits_for_the_replan_comes_after_it(
    tracked: Services, planned: dict[str, Any]
) -> None:
    """The re-plan's storing transaction holds the day's locks and is handing over a stop nobody
    carried when a dispatcher assigns that stop: the assignment waits for the re-plan to commit
    and then replaces its hand-over (the audit names the driver it took the stop from)."""
    _postgresql(tracked)
    order_id = planned["route"]["stops"][0]["order_id"]
    with transaction(tracked.sessions) as session:
        (shipment,) = assignments.courier_shipments(session, [order_id], lock=True)
        assignments.take_back(session=session, shipment=shipment, actor="t")  # nobody carries it
    rest, outcome, order_id, planned_to = _searched(tracked, planned)
    assert planned_to is not None, "the new plan routes the absent driver's first stop"
    storer, stored = in_thread(
        lambda: store_replan(tracked, rest, outcome, seconds=0.3, actor="replan")
    )
    assigner, assigned = in_thread(lambda: _assign(tracked, order_id))
    with transaction(tracked.sessions) as session:
        # Holding the new driver's row stops the re-plan at its first hand-over to that driver
        # (the assignment's foreign key check), after it locked the day's shipments.
        session.execute(select(Driver.id).where(Driver.driver_id == planned_to).with_for_update())
        storer.start()
        replan = until_blocked_by(tracked, backend(session), storer)
        assigner.start()
        until_blocked_by(tracked, replan, assigner)
    storer.join(120)
    assigner.join(120)
    (replanned,) = stored
    assert isinstance(replanned, Replanned), replanned
    assert assigned == [order_id], assigned
    assert order_id in carried(tracked)[BACKUP]
    assert Reassigned(order_id, None, planned_to) in replanned.handover.reassigned
    with tracked.sessions() as session:
        (event,) = [
            e
            for e in history(session, entity="driver", entity_id=BACKUP)
            if e.detail.get("order_id") == order_id
        ]
    assert (event.action, event.actor, event.detail["previous"]) == (
        "assigned",
        "key:disp",
        planned_to,
    )


def _assign(services: Services, order_id: str) -> str:
    """A dispatcher gives ``order_id`` to the backup driver."""
    with transaction(services.sessions) as session:
        return assignments.assign_order(
            session=session, driver_id=BACKUP, order_id=order_id, connector=None, actor="key:disp"
        ).order_id


@pytest.mark.usefixtures("cli_env")
def test_an_assignment_of_several_stops_locks_them_in_id_order(
    tracked: Services, planned: dict[str, Any]
) -> None:
    """``drivers assign`` given the highest id first still locks lowest id first, as a re-plan
    does: waiting for the lowest, it holds none of the others, so a re-plan holding the lowest and
    waiting for another cannot deadlock with it."""
    _postgresql(tracked)
    with tracked.sessions() as session:
        low, *_, high = assignments.courier_shipments(session, ORDERS)
    assigner, ran = in_thread(
        lambda: CliRunner().invoke(app, ["drivers", "assign", BACKUP, high.order_id, low.order_id])
    )
    with transaction(tracked.sessions) as session:
        session.execute(select(Shipment.id).where(Shipment.id == low.id).with_for_update())
        assigner.start()
        until_blocked_by(tracked, backend(session), assigner)
        with transaction(tracked.sessions) as other:
            free = other.scalar(
                select(Shipment.id).where(Shipment.id == high.id).with_for_update(nowait=True)
            )
        assert free == high.id
    assigner.join(120)
    (result,) = ran
    assert result.exit_code == 0, result.stderr
    assert {high.order_id, low.order_id} <= carried(tracked)[BACKUP]


def test_the_api_replan_shows_a_stop_assigned_meanwhile_as_kept(
    tracked: Services, track_settings: Settings, cli_env: Settings, planned: dict[str, Any]
) -> None:
    """``POST /routes/plans/{id}/replan`` while a dispatcher runs ``drivers assign``: the answer
    lists the stop under ``assignments.kept`` and the stop stays with the dispatcher's driver."""
    _postgresql(tracked)
    route, plan_id = planned["route"], planned["plan_id"]
    order_id = route["stops"][0]["order_id"]
    body = {"absent": [route["driver_id"]], "at": route["departure"]}
    headers = api_key(tracked)
    with TestClient(create_app(track_settings)) as client:
        replanner, answered = in_thread(
            lambda: client.post(
                f"/routes/plans/{plan_id}/replan?seconds=0.3", json=body, headers=headers
            )
        )
        with _searching(tracked, plan_id, replanner):
            assigned = CliRunner().invoke(app, ["drivers", "assign", BACKUP, order_id])
        replanner.join(120)
    (response,) = answered
    assert assigned.exit_code == 0, assigned.stderr
    assert response.status_code == 200, response.text
    new = response.json()
    assert new["assignments"]["kept"] == [
        {
            "order_id": order_id,
            "with": BACKUP,
            "planned": _driver_of(new, order_id),
            "assigned_by": "cli",
        }
    ]
    assert order_id in carried(tracked)[BACKUP]


def test_the_cli_replan_shows_a_stop_assigned_meanwhile_as_kept(
    tracked: Services, cli_env: Settings, planned: dict[str, Any]
) -> None:
    """``finalmile routes replan`` while a dispatcher assigns a stop: the JSON lists the stop
    under ``assignments.kept``, stderr says why, and the command succeeds (exit 0)."""
    _postgresql(tracked)
    route, plan_id = planned["route"], planned["plan_id"]
    order_id = route["stops"][0]["order_id"]
    start = dt.datetime.fromisoformat(route["departure"]).isoformat(timespec="seconds")
    args = ["routes", "replan", str(plan_id), "--absent", route["driver_id"]]
    replanner, ran = in_thread(
        lambda: CliRunner().invoke(app, [*args, "--at", start, "--seconds", "0.3"])
    )
    with _searching(tracked, plan_id, replanner):
        _assign(tracked, order_id)
    replanner.join(120)
    (result,) = ran
    assert result.exit_code == 0, result.stderr
    new = json.loads(result.stdout)
    planned_to = _driver_of(new, order_id)
    assert new["assignments"]["kept"] == [
        {"order_id": order_id, "with": BACKUP, "planned": planned_to, "assigned_by": "key:disp"}
    ]
    where = f"routes it to {planned_to}" if planned_to else "does not route it"
    assert (
        f"kept: {order_id} with {BACKUP} (assigned by key:disp during the re-plan;"
        f" the new plan {where})"
    ) in result.stderr
    assert order_id in carried(tracked)[BACKUP]


@contextmanager
def _searching(services: Services, plan_id: int, replanner: threading.Thread) -> Iterator[None]:
    """Start ``replanner`` (a re-plan of ``plan_id``) and hold it before it stores, as if its
    search were still running, until the block ends (PostgreSQL: the plan's row lock)."""
    with transaction(services.sessions) as session:
        session.execute(select(RoutePlan.id).where(RoutePlan.id == plan_id).with_for_update())
        replanner.start()
        until_blocked_by(services, backend(session), replanner)
        yield


def _driver_of(record: dict[str, Any], order_id: str) -> str | None:
    """The driver a plan record routes ``order_id`` to (``None``: unassigned)."""
    routes = {s["order_id"]: r["driver_id"] for r in record["routes"] for s in r["stops"]}
    return routes.get(order_id)
