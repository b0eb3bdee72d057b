"""A planned courier day meeting the road: driver reports re-time the rest of the route, and a
re-plan keeps visited stops, drops cancelled orders, absorbs new ones and covers a sick driver
(SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from finalmile.cli import app
from finalmile.config.settings import Settings
from finalmile.db import transaction
from finalmile.errors import InputError
from finalmile.main import create_app
from finalmile.routing.jobs import plan_day_file, run_replan, store_plan
from finalmile.routing.models import RoutePlan
from finalmile.routing.store import plan_etas, plan_record
from finalmile.routing.stored import stored_day
from finalmile.services import Services
from finalmile.tracking import drivers
from finalmile.tracking.driver_payloads import DriverUpdateIn
from finalmile.tracking.driver_updates import apply_batch
from finalmile.tracking.models import DeliveryProof, Driver
from tests.hl7_builder import PATIENT_FAMILY, PATIENT_GIVEN, PATIENT_PHONE_DIGITS, rde
from tests.integration.tracking.helpers import api_key

TUESDAY = dt.datetime(2026, 11, 17, 15, 0, tzinfo=dt.UTC)  # 10:00 in Cambridge MA
DAY = dt.date(2026, 11, 17)
ORDERS = ("RX-R1", "RX-R2", "RX-R3", "RX-R4")


def _order(n: int, order_id: str) -> bytes:
    """A courier order (the demo rules send Cambridge orders by courier), cold when ``n`` is odd."""
    return rde(f"M{n}", order_id, storage="R" if n % 2 else "A")


@pytest.fixture
def planned(tracked: Services) -> dict[str, Any]:
    """Four courier orders decided for DAY, planned and stored, shipped with the planned drivers."""
    tracked.decider.clock = lambda: TUESDAY
    raws = [_order(n, order_id) for n, order_id in enumerate(ORDERS, start=1)]
    tracked.intake.ingest_hl7(raws, connector="default")
    tracked.decider.decide_backlog()
    text = stored_day(tracked, DAY)
    assert text is not None
    plan_id = store_plan(tracked, text, DAY, 0.3, plan_day_file(text, DAY, 0.3))
    with tracked.sessions() as session:
        record = plan_record(session=session, plan_id=plan_id)
    assert record["feasible"] and not record["unassigned"], record
    for order_id in ORDERS:
        tracked.shipments.buy(order_id=order_id, account="drivers")
    with transaction(tracked.sessions) as session:
        for driver_id in ("d1", "d2", "d3"):
            drivers.create_driver(session=session, driver_id=driver_id, name="N", actor="t")
        assigned, problems = drivers.assign_plan(session=session, plan_id=plan_id, actor="t")
    assert (assigned, problems) == (4, [])
    route = max(record["routes"], key=lambda r: len(r["stops"]))
    return {"plan_id": plan_id, "record": record, "route": route}


def _report(
    services: Services, driver_id: str, order_id: str, kind: str, at: dt.datetime, **extra: Any
) -> None:
    with services.sessions() as session:
        driver = drivers.get_driver(session=session, driver_id=driver_id)
        stop = next(
            s.key
            for s in drivers.stops_of(session=session, driver=driver)
            if s.order_id == order_id
        )
    update = DriverUpdateIn.model_validate(
        {
            "client_id": f"{driver_id}-{order_id}-{kind}",
            "stop": stop,
            "kind": kind,
            "occurred_at": at.isoformat(),
            **extra,
        }
    )
    assert isinstance(driver, Driver) and driver.id is not None
    (result,) = apply_batch(
        services.sessions, driver_pk=driver.id, updates=[update], vault=services.vault, now=at
    )
    assert result.outcome == "applied", result


def _at(stop: dict[str, Any], minutes: int = 0) -> dt.datetime:
    return dt.datetime.fromisoformat(stop["arrival"]) + dt.timedelta(minutes=minutes)


def _deliver(services: Services, driver_id: str, stop: dict[str, Any], late: int) -> dt.datetime:
    """Arrive ``late`` minutes after the planned arrival and deliver 6 minutes later."""
    _report(services, driver_id, stop["order_id"], "arrived", _at(stop, late))
    _report(services, driver_id, stop["order_id"], "delivered", _at(stop, late + 6))
    return _at(stop, late + 6)


def test_a_late_delivery_moves_the_rest_of_the_route(
    tracked: Services, planned: dict[str, Any]
) -> None:
    route, plan_id = planned["route"], planned["plan_id"]
    assert len(route["stops"]) >= 2, planned["record"]
    first, rest = route["stops"][0], route["stops"][1:]
    departure = dt.datetime.fromisoformat(route["departure"])
    for stop in route["stops"]:
        _report(tracked, route["driver_id"], stop["order_id"], "picked_up", departure)
    _deliver(tracked, route["driver_id"], first, late=40)
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
    _report(tracked, route["driver_id"], first["order_id"], "delivered", _at(first))  # applied
    with tracked.sessions() as session:
        (mine,) = [
            r
            for r in plan_etas(session=session, plan_id=plan_id)["routes"]
            if r["driver_id"] == route["driver_id"]
        ]
        proofs = session.scalars(select(DeliveryProof)).all()
    assert [p.delivered_at for p in proofs] == [_at(first)]
    assert all(s["reported"] is None and s["eta_updated_at"] is None for s in mine["stops"])


def test_a_sick_driver_cancelled_order_and_new_order(
    tracked: Services, planned: dict[str, Any]
) -> None:
    route, plan_id = planned["route"], planned["plan_id"]
    sick = route["driver_id"]
    first = route["stops"][0]
    delivered_at = _deliver(tracked, sick, first, late=0)
    others = [s["order_id"] for s in route["stops"][1:]]
    cancelled = others[0]
    tracked.intake.ingest_hl7(
        [rde("C1", cancelled, order_control="CA"), _order(5, "RX-R5")],
        connector="default",
    )
    tracked.decider.decide_backlog()
    new_id = run_replan(
        services=tracked,
        plan_id=plan_id,
        now=delivered_at + dt.timedelta(minutes=5),
        seconds=0.3,
        absent=[sick],
    )
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
    with pytest.raises(InputError, match="superseded"):
        run_replan(services=tracked, plan_id=plan_id, now=delivered_at, seconds=0.3)


def test_a_driver_on_the_road_keeps_its_load(
    tracked: Services, track_settings: Settings, planned: dict[str, Any]
) -> None:
    """Without changes, a re-plan over HTTP leaves the driver its on-board stops after the
    delivered one, and the manifests of the new plan show them with no patient data."""
    route, plan_id = planned["route"], planned["plan_id"]
    departure = dt.datetime.fromisoformat(route["departure"])
    for stop in route["stops"]:
        _report(tracked, route["driver_id"], stop["order_id"], "picked_up", departure)
    delivered_at = _deliver(tracked, route["driver_id"], route["stops"][0], late=0)
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
    assert again.status_code == 422 and "superseded" in again.text
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
    for text in (paper.content.decode("latin-1"), app_json.text, etas.text):
        for phi in (PATIENT_FAMILY, PATIENT_GIVEN, PATIENT_PHONE_DIGITS, "MRN4417"):
            assert phi not in text


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
