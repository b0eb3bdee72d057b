"""Planning from stored data: received orders decided ``courier`` for a day become that day's
jobs; cancelled and carrier-decided orders do not; an unknown ZIP is unassigned with a reason
(SQLite and PostgreSQL). A controlled substance needs a driver with the lockbox."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import col
from typer.testing import CliRunner

from finalmile.app import Services
from finalmile.auth.models import Scope
from finalmile.auth.service import create_key
from finalmile.cli import app
from finalmile.courier.day_from_orders import stored_day
from finalmile.courier.dayfile import load_day
from finalmile.courier.manifest import manifest, route_sheet
from finalmile.courier.planning_job import plan_day_file
from finalmile.orders.models import Order
from finalmile.routing.problem import Skill
from finalmile.routing.travel import HAVERSINE
from finalmile.rules.facts import DeliveryType
from finalmile.rules.models import DecisionRecord
from tests.hl7_builder import rde

TUESDAY = dt.datetime(2026, 11, 17, 15, 0, tzinfo=dt.UTC)  # 10:00 in Cambridge MA
DAY = dt.date(2026, 11, 17)


def _courier_decision(services: Services) -> DecisionRecord:
    with services.sessions() as session:
        return session.scalars(
            select(DecisionRecord).where(
                col(DecisionRecord.delivery_type) == DeliveryType.COURIER.value
            )
        ).first() or pytest.fail("no courier decision")


def _decide_as(services: Services, order_id: str, kind: DeliveryType) -> None:
    """A newer decision for ``order_id`` (as a person overriding the rules would store)."""
    template = _courier_decision(services)
    with services.sessions() as session, session.begin():
        order = session.scalars(select(Order).where(col(Order.order_id) == order_id)).one()
        assert order.id is not None
        session.add(
            DecisionRecord(
                order_pk=order.id,
                order_version=order.version,
                site=template.site,
                delivery_type=kind,
                estimated_delivery=template.estimated_delivery,
                decision_encrypted=template.decision_encrypted,
                created_at=template.created_at,
            )
        )


@pytest.fixture
def decided(services: Services) -> Services:
    """Four courier orders (one with an unknown ZIP), one cancelled, one moved to a carrier."""
    services.decider.clock = lambda: TUESDAY
    services.intake.ingest_hl7(
        [
            rde("S1", "RX-S1"),
            rde("S2", "RX-S2", storage="A"),
            rde("S3", "RX-S3", storage="F"),
            rde("S4", "RX-S4", storage="C"),
            rde("S5", "RX-CANCEL"),
            rde("S6", "RX-UPS"),
            rde("S7", "RX-NOZIP", postal_code="02799"),  # in MA by prefix, no centroid
        ],
        connector="default",
    )
    services.decider.decide_backlog()
    services.intake.ingest_hl7([rde("S8", "RX-CANCEL", order_control="CA")], connector="default")
    _decide_as(services, "RX-UPS", DeliveryType.CARRIER)
    _decide_as(services, "RX-NOZIP", DeliveryType.COURIER)
    return services


def test_courier_orders_are_routed_or_unassigned_with_a_reason(decided: Services) -> None:
    text = stored_day(decided.planning, DAY)
    assert text is not None
    day = load_day(text, source="stored").on(DAY)
    assert sorted(day.jobs) == ["RX-S1", "RX-S2", "RX-S3", "RX-S4"]
    assert {d.driver_id for d in day.problem.drivers} == {"d1", "d2", "d3"}
    result, report = plan_day_file(text, DAY, 0.3, travel_source=HAVERSINE)
    assert report.feasible, report.violations
    routed = {v.stop_id for r in result.routes for v in r.visits}
    unassigned = {u.stop_id: u.reason.value for u in result.unassigned}
    assert routed | set(unassigned) == {"RX-S1", "RX-S2", "RX-S3", "RX-S4", "RX-NOZIP"}
    assert not routed & set(unassigned)
    assert unassigned["RX-NOZIP"] == "no_location"
    assert routed == {"RX-S1", "RX-S2", "RX-S3", "RX-S4"}


def test_cold_chain_skills_come_from_storage(decided: Services) -> None:
    text = stored_day(decided.planning, DAY)
    assert text is not None
    stops = {s.stop_id: s for s in load_day(text, source="stored").problem.stops}
    assert {k: sorted(s.skills) for k, s in stops.items()} == {
        "RX-S1": ["cooler"],
        "RX-S2": [],
        "RX-S3": ["cooler"],
        "RX-S4": [],
    }
    needed_by = dt.datetime(2026, 11, 24, 22, 0, tzinfo=dt.UTC)
    assert all(s.windows[0].end == needed_by for s in stops.values())


def test_other_days_have_nothing_to_plan(decided: Services) -> None:
    assert stored_day(decided.planning, DAY + dt.timedelta(days=1)) is None


def test_cli_plans_the_stored_orders_of_a_date(
    decided: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = decided.settings
    monkeypatch.setenv("FINALMILE_DATABASE_URL", settings.resolved_database_url)
    assert settings.secret_key is not None
    monkeypatch.setenv("FINALMILE_SECRET_KEY", settings.secret_key.get_secret_value())
    monkeypatch.setenv("FINALMILE_DATA_DIR", str(settings.data_dir))
    result = CliRunner().invoke(
        app, ["routes", "plan", "--date", DAY.isoformat(), "--seconds", "0.3"]
    )
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["feasible"] is True
    routed = sorted(s["order_id"] for r in summary["routes"] for s in r["stops"])
    assert routed == ["RX-S1", "RX-S2", "RX-S3", "RX-S4"]
    assert summary["unassigned"] == [{"order_id": "RX-NOZIP", "reason": "no_location"}]
    later = CliRunner().invoke(app, ["routes", "plan", "--date", "2026-11-18"])
    assert later.exit_code == 1
    assert "no courier orders to plan on 2026-11-18" in later.stderr


@pytest.mark.slow
def test_post_without_a_day_plans_the_stored_orders(client: TestClient) -> None:
    services: Services = client.app.state.services
    services.decider.clock = lambda: TUESDAY
    services.intake.ingest_hl7([rde("P1", "RX-P1"), rde("P2", "RX-P2")], connector="default")
    services.decider.decide_backlog()
    with services.sessions() as session, session.begin():
        key = create_key(session=session, name="t", scopes=[Scope.ORDERS_WRITE]).token
    headers = {"X-API-Key": key}
    empty = client.post("/routes/plan?date=2026-11-18&seconds=0.3", headers=headers)
    assert empty.status_code == 404, empty.text
    response = client.post("/routes/plan?date=2026-11-17&seconds=0.3", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["feasible"] is True
    assert sorted(s["order_id"] for r in body["routes"] for s in r["stops"]) == ["RX-P1", "RX-P2"]


def test_a_schedule_ii_item_needs_the_lockbox_and_rides_with_a_lockbox_driver(
    services: Services,
) -> None:
    services.decider.clock = lambda: TUESDAY
    services.intake.ingest_hl7(
        [
            rde("L1", "RX-CII", storage="A", schedule="C-II"),
            rde("L2", "RX-PLAIN", storage="A"),
        ],
        connector="default",
    )
    services.decider.decide_backlog()
    text = stored_day(services.planning, DAY)
    assert text is not None
    day = load_day(text, source="stored").on(DAY)
    stops = {s.stop_id: s for s in day.problem.stops}
    assert stops["RX-CII"].skills == {Skill.LOCKBOX}
    assert stops["RX-PLAIN"].skills == set()
    lockbox = {d.driver_id for d in day.problem.drivers if Skill.LOCKBOX in d.skills}
    assert lockbox and lockbox != {d.driver_id for d in day.problem.drivers}
    result, report = plan_day_file(text, DAY, 0.3, travel_source=HAVERSINE)
    assert report.feasible, report.violations
    [route] = [r for r in result.routes if any(v.stop_id == "RX-CII" for v in r.visits)]
    assert route.driver_id in lockbox
    site_id = next(d.start_site for d in day.problem.drivers if d.driver_id == route.driver_id)
    sheet = manifest(
        route_sheet(route, day.jobs, site_id=site_id), zone=ZoneInfo("America/New_York")
    )
    assert [s["lockbox"] for s in sheet["stops"] if s["order_id"] == "RX-CII"] == [True]
