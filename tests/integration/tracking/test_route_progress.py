"""A planned courier day meeting the road: driver reports re-time the rest of the route, and a
re-plan keeps visited stops, drops cancelled orders, absorbs new ones and covers a sick driver
(SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
import threading
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
from finalmile.courier.driver_tables import DriverUpdate
from finalmile.courier.driver_updates import UpdateResult
from finalmile.courier.plan_store import plan_etas, plan_record
from finalmile.courier.plan_tables import RoutePlan
from finalmile.courier.planning_job import replan_rest, run_replan
from finalmile.courier.rest_of_day import rest_of_day
from finalmile.courier.supersede import store_replan
from finalmile.db import transaction
from finalmile.errors import ConflictError, RetriableError
from finalmile.main import create_app
from finalmile.tracking.models import DeliveryProof
from tests.hl7_builder import PATIENT_FAMILY, PATIENT_GIVEN, PATIENT_PHONE_DIGITS, rde
from tests.integration.tracking.courier_day import (
    ORDERS,
    arrival,
    carried,
    courier_order,
    deliver,
    plan_courier_day,
    report,
    routed,
    send,
)
from tests.integration.tracking.helpers import api_key
from tests.integration.tracking.row_locks import backend, until_blocked_by


@pytest.fixture
def planned(tracked: Services) -> dict[str, Any]:
    """Four courier orders decided for DAY, planned and stored, shipped with the planned drivers."""
    return plan_courier_day(tracked)


def _changed(old: dict[str, Any], new: dict[str, Any]) -> set[tuple[str, str | None, str]]:
    """(order id, old driver, new driver) of the new plan's stops not visited whose driver
    changed: what a re-plan must hand over."""
    before = {s["order_id"]: r["driver_id"] for r in old["routes"] for s in r["stops"]}
    return {
        (s["order_id"], before.get(s["order_id"]), r["driver_id"])
        for r in new["routes"]
        for s in r["stops"]
        if s["reported"] is None and before.get(s["order_id"]) != r["driver_id"]
    }


def test_a_late_delivery_moves_the_rest_of_the_route(
    tracked: Services, planned: dict[str, Any]
) -> None:
    route, plan_id = planned["route"], planned["plan_id"]
    assert len(route["stops"]) >= 2, planned["record"]
    first, rest = route["stops"][0], route["stops"][1:]
    departure = dt.datetime.fromisoformat(route["departure"])
    for stop in route["stops"]:
        report(tracked, route["driver_id"], stop["order_id"], "picked_up", departure)
    deliver(tracked, route["driver_id"], first, late=40)
    with tracked.sessions() as session:
        etas = plan_etas(session=session, plan_id=plan_id)
    (now,) = [r for r in etas["routes"] if r["driver_id"] == route["driver_id"]]
    assert now["stops"][0]["reported"] == "delivered"
    assert now["stops"][0]["eta"] == first["eta"]  # a visited stop keeps its planned window
    for before, after in zip(rest, now["stops"][1:], strict=True):
        assert after["order_id"] == before["order_id"]
        assert after["eta_updated_at"] is not None and after["reported"] is None
        assert after["eta"]["to"] > before["eta"]["to"]
        assert after["late"] is False  # the windows run to needed_by, days later


def test_an_eta_failure_never_loses_the_update(tracked: Services, planned: dict[str, Any]) -> None:
    route, plan_id = planned["route"], planned["plan_id"]
    with transaction(tracked.sessions) as session:
        row = session.get(RoutePlan, plan_id)
        assert row is not None
        row.day_encrypted = tracked.vault.encrypt(b"{not a day")
    first = route["stops"][0]
    report(tracked, route["driver_id"], first["order_id"], "delivered", arrival(first))  # applied
    with tracked.sessions() as session:
        (mine,) = [
            r
            for r in plan_etas(session=session, plan_id=plan_id)["routes"]
            if r["driver_id"] == route["driver_id"]
        ]
        proofs = session.scalars(select(DeliveryProof)).all()
    assert [p.delivered_at for p in proofs] == [arrival(first)]
    assert all(s["reported"] is None and s["eta_updated_at"] is None for s in mine["stops"])


def test_a_sick_driver_cancelled_order_and_new_order(
    tracked: Services, planned: dict[str, Any]
) -> None:
    route, plan_id = planned["route"], planned["plan_id"]
    sick = route["driver_id"]
    first = route["stops"][0]
    delivered_at = deliver(tracked, sick, first, late=0)
    others = [s["order_id"] for s in route["stops"][1:]]
    cancelled = others[0]
    tracked.intake.ingest_hl7(
        [rde("C1", cancelled, order_control="CA"), courier_order(5, "RX-R5")],
        connector="default",
    )
    tracked.decider.decide_backlog()
    new_id = run_replan(
        planning=tracked.planning,
        plan_id=plan_id,
        now=delivered_at + dt.timedelta(minutes=5),
        seconds=0.3,
        absent=[sick],
        actor="test",
    ).plan_id
    with tracked.sessions() as session:
        old = plan_record(session=session, plan_id=plan_id)
        new = plan_record(session=session, plan_id=new_id)
    assert old["superseded_at"] is not None and new["previous_plan_id"] == plan_id
    assert new["feasible"] is True
    routes = {r["driver_id"]: r for r in new["routes"]}
    kept = routes[sick]["stops"]
    assert [s["order_id"] for s in kept] == [first["order_id"]]  # only what it delivered
    assert kept[0]["reported"] == "delivered"
    assert (kept[0]["arrival"], kept[0]["eta"]) == (first["arrival"], first["eta"])
    placed = {s["order_id"]: d for d, r in routes.items() for s in r["stops"]}
    reasons = {u["order_id"]: u["reason"] for u in new["unassigned"]}
    assert cancelled not in placed and cancelled not in reasons
    assert "RX-R5" in placed or reasons.get("RX-R5")
    for order_id in others[1:]:
        assert placed.get(order_id, sick) != sick or reasons.get(order_id)
        assert order_id in placed or order_id in reasons
    with pytest.raises(ConflictError, match="superseded"):
        run_replan(
            planning=tracked.planning, plan_id=plan_id, now=delivered_at, seconds=0.3, actor="t"
        )


def test_a_driver_on_the_road_keeps_its_load(
    tracked: Services, track_settings: Settings, planned: dict[str, Any]
) -> None:
    """Without changes, a re-plan over HTTP leaves the driver its on-board stops after the
    delivered one, and the manifests of the new plan show them with no patient data."""
    route, plan_id = planned["route"], planned["plan_id"]
    departure = dt.datetime.fromisoformat(route["departure"])
    for stop in route["stops"]:
        report(tracked, route["driver_id"], stop["order_id"], "picked_up", departure)
    delivered_at = deliver(tracked, route["driver_id"], route["stops"][0], late=0)
    headers = api_key(tracked)
    with TestClient(create_app(track_settings)) as client:
        response = client.post(
            f"/routes/plans/{plan_id}/replan?seconds=0.3",
            json={"at": (delivered_at + dt.timedelta(minutes=1)).isoformat()},
            headers=headers,
        )
        assert response.status_code == 200, response.text
        new = response.json()
        again = client.post(f"/routes/plans/{plan_id}/replan", json={}, headers=headers)
        unknown = client.post(
            f"/routes/plans/{new['plan_id']}/replan", json={"absent": ["nobody"]}, headers=headers
        )
        paper = client.get(
            f"/routes/plans/{new['plan_id']}/manifests/{route['driver_id']}.pdf", headers=headers
        )
        app_json = client.get(
            f"/routes/plans/{new['plan_id']}/manifests/{route['driver_id']}.json", headers=headers
        )
        etas = client.get(f"/routes/plans/{new['plan_id']}/etas", headers=headers)
    assert again.status_code == 409 and "superseded" in again.text
    assert unknown.status_code == 422 and "absent" in unknown.text
    (mine,) = [r for r in new["routes"] if r["driver_id"] == route["driver_id"]]
    head = mine["stops"][0]
    assert (head["order_id"], head["reported"]) == (route["stops"][0]["order_id"], "delivered")
    assert sorted(s["order_id"] for s in mine["stops"]) == sorted(
        s["order_id"] for s in route["stops"]
    )
    assert mine["departure"] == route["departure"]
    assert paper.status_code == 200 and paper.headers["content-type"] == "application/pdf"
    assert [s["order_id"] for s in app_json.json()["stops"]] == [
        s["order_id"] for s in mine["stops"]
    ]
    assert etas.status_code == 200
    for shown in (paper.content.decode("latin-1"), app_json.text, etas.text):
        for phi in (PATIENT_FAMILY, PATIENT_GIVEN, PATIENT_PHONE_DIGITS, "MRN4417"):
            assert phi not in shown


def test_cli_replans_with_an_absent_driver(
    tracked: Services, cli_env: Settings, planned: dict[str, Any]
) -> None:
    route, plan_id = planned["route"], planned["plan_id"]
    start = dt.datetime.fromisoformat(route["departure"]).isoformat(timespec="seconds")
    unknown = CliRunner().invoke(app, ["routes", "replan", str(plan_id), "--absent", "nobody"])
    assert unknown.exit_code == 1 and "no driver 'nobody' in the plan" in unknown.stderr
    result = CliRunner().invoke(
        app,
        [
            "routes",
            "replan",
            str(plan_id),
            "--absent",
            route["driver_id"],
            "--at",
            start,
            "--seconds",
            "0.3",
        ],
    )
    assert result.exit_code == 0, result.stderr
    new = json.loads(result.stdout)
    assert new["previous_plan_id"] == plan_id and new["feasible"] is True
    assert route["driver_id"] not in {r["driver_id"] for r in new["routes"]}
    placed = {s["order_id"] for r in new["routes"] for s in r["stops"]}
    left = {u["order_id"] for u in new["unassigned"]}
    assert placed | left == set(ORDERS)
    handed = new["assignments"]["reassigned"]
    assert {s["order_id"] for s in route["stops"]} <= {
        r["order_id"] for r in handed if r["from"] == route["driver_id"]
    }
    assert f"re-assigned {len(handed)} stop(s)" in result.stderr
    assert carried(tracked) == routed(new, planned["tokens"])


def test_a_replan_hands_an_absent_drivers_stops_over(
    tracked: Services, track_settings: Settings, planned: dict[str, Any]
) -> None:
    """The driver app shows the new plan after a re-plan over HTTP: the sick driver keeps the
    stop it delivered, its other stops go to the drivers the new plan gives them, its cancelled
    stop leaves its list; every change is audited on the driver like a manual assignment."""
    route, plan_id, tokens = planned["route"], planned["plan_id"], planned["tokens"]
    sick = route["driver_id"]
    first, cancelled = route["stops"][0], route["stops"][1]["order_id"]
    delivered_at = deliver(tracked, sick, first, late=0)
    tracked.intake.ingest_hl7([rde("C1", cancelled, order_control="CA")], connector="default")
    headers = api_key(tracked)
    with TestClient(create_app(track_settings)) as client:

        def app_lists() -> dict[str, set[str]]:
            lists = {}
            for driver_id, token in tokens.items():
                mine = client.get("/driver/stops", headers={"Authorization": f"Bearer {token}"})
                assert mine.status_code == 200, mine.text
                lists[driver_id] = {s["order_id"] for s in mine.json()}
            return lists

        before = app_lists()
        response = client.post(
            f"/routes/plans/{plan_id}/replan?seconds=0.3",
            json={"absent": [sick], "at": (delivered_at + dt.timedelta(minutes=5)).isoformat()},
            headers=headers,
        )
        assert response.status_code == 200, response.text
        after = app_lists()
    new = response.json()
    assert before == routed(planned["record"], tokens)
    assert after == routed(new, tokens)
    assert after[sick] == {first["order_id"]}
    assignments = new["assignments"]
    handed = {(r["order_id"], r["from"], r["to"]) for r in assignments["reassigned"]}
    assert handed == _changed(planned["record"], new)
    assert {s["order_id"] for s in route["stops"][2:]} <= {o for o, old, _ in handed if old == sick}
    assert assignments["released"] == [{"order_id": cancelled, "from": sick, "reason": "cancelled"}]
    assert assignments["problems"] == []
    with tracked.sessions() as session:
        for order_id, old, driver_id in handed:
            event = [
                e
                for e in history(session, entity="driver", entity_id=driver_id)
                if e.detail.get("order_id") == order_id
            ][-1]
            assert (event.action, event.detail["plan_id"]) == ("assigned", new["plan_id"])
            assert event.detail["previous"] == old
            assert event.actor == "key:" + headers["X-API-Key"].split("_")[1]
        events = history(session, entity="driver", entity_id=sick)
    taken = [e for e in events if e.action == "unassigned"]
    assert [(e.action, e.detail["order_id"], e.detail["reason"]) for e in taken] == [
        ("unassigned", cancelled, "cancelled")
    ]


def test_a_delivery_during_the_search_is_kept_in_the_new_plan(
    tracked: Services, planned: dict[str, Any]
) -> None:
    """A driver on the road delivers its next stop while the re-plan searches: the stored plan
    has that stop visited at the head of the driver's route (once), and nobody's stops move."""
    route, plan_id = planned["route"], planned["plan_id"]
    driver = route["driver_id"]
    first, second = route["stops"][:2]
    delivered_at = deliver(tracked, driver, first, late=0)  # on the road: the rest is on board
    with tracked.sessions() as session:
        rest = rest_of_day(session, plan_id=plan_id, vault=tracked.vault, now=delivered_at)
    outcome = replan_rest(rest, 0.3)
    deliver(tracked, driver, second, late=0)
    replanned = store_replan(tracked, rest, outcome, seconds=0.3, actor="test")
    with tracked.sessions() as session:
        new = plan_record(session=session, plan_id=replanned.plan_id)
    (mine,) = [r for r in new["routes"] if r["driver_id"] == driver]
    assert [(s["order_id"], s["reported"]) for s in mine["stops"][:2]] == [
        (first["order_id"], "delivered"),
        (second["order_id"], "delivered"),
    ]
    assert sorted(s["order_id"] for s in mine["stops"]) == sorted(
        s["order_id"] for s in route["stops"]
    )
    assert carried(tracked) == routed(new, planned["tokens"])


def test_a_pickup_during_the_search_of_a_stop_moved_away_stores_nothing(
    tracked: Services, planned: dict[str, Any]
) -> None:
    route, plan_id = planned["route"], planned["plan_id"]
    sick, first = route["driver_id"], route["stops"][0]["order_id"]
    departure = dt.datetime.fromisoformat(route["departure"])
    with tracked.sessions() as session:
        rest = rest_of_day(
            session, plan_id=plan_id, vault=tracked.vault, now=departure, absent=[sick]
        )
    outcome = replan_rest(rest, 0.3)
    report(tracked, sick, first, "picked_up", departure)
    with pytest.raises(RetriableError, match=f"{sick} reported {first} picked_up and the new plan"):
        store_replan(tracked, rest, outcome, seconds=0.3, actor="test")
    with tracked.sessions() as session:
        plans = session.scalars(select(RoutePlan)).all()
    assert [(p.id, p.superseded_at) for p in plans] == [(plan_id, None)]
    assert carried(tracked) == routed(planned["record"], planned["tokens"])


def test_an_update_waiting_for_a_stop_handed_over_meanwhile_is_refused(
    tracked: Services, planned: dict[str, Any]
) -> None:
    """A delivery report that reaches the stop's lock while a re-plan's transaction holds it and
    hands the stop to another driver is refused once that commits (never recorded for a stop
    another driver now carries)."""
    route = planned["route"]
    order_id = route["stops"][0]["order_id"]
    with tracked.sessions() as session:
        driver = drivers.get_driver(session=session, driver_id=route["driver_id"])
        other = next(d for d in drivers.list_drivers(session=session) if d.id != driver.id)
        (shipment,) = assignments.courier_shipments(session, [order_id])
    at = dt.datetime.fromisoformat(route["stops"][0]["arrival"])
    results: list[UpdateResult] = []
    reporter = threading.Thread(
        target=lambda: results.append(send(tracked, driver, shipment.key, "delivered", at))
    )
    with transaction(tracked.sessions) as session:
        (locked,) = assignments.courier_shipments(session, [order_id], lock=True)
        assignments.give(session=session, shipment=locked, driver=other, actor="test")
        reporter.start()
        until_blocked_by(tracked, backend(session), reporter)
    reporter.join(60)
    assert [(r.outcome, r.location) for r in results] == [("rejected", "stop")]
    lists = carried(tracked)
    assert order_id in lists[other.driver_id] and order_id not in lists[driver.driver_id]
    with tracked.sessions() as session:
        assert session.scalars(select(DriverUpdate)).all() == []
