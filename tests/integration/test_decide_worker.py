"""Stored decisions: the worker decides every received order version once, rule sets are
versioned per site, and each decision names the version it used (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from importlib.resources import files
from pathlib import Path

import pytest
from sqlalchemy import func, select

from finalmile.app import Services, build_services
from finalmile.audit import AuditEvent
from finalmile.config.settings import Settings
from finalmile.errors import ConfigError
from finalmile.orders.models import Order
from finalmile.rules import load_catalog, load_rule_set
from finalmile.rules.facts import DeliveryType
from finalmile.rules.models import DecisionRecord, RuleSetVersion
from finalmile.rules.service import current_decision, list_current
from finalmile.rules.versions import activate, active_version
from tests.hl7_builder import rde

TUESDAY = dt.datetime(2026, 11, 17, 15, 0, tzinfo=dt.UTC)  # 10:00 in Cambridge MA
DEFAULT_TEXT = load_catalog(None).rule_files["default"].text


@pytest.fixture
def fixed(services: Services) -> Services:
    services.decider.clock = lambda: TUESDAY
    return services


def _decisions(services: Services) -> list[DecisionRecord]:
    with services.sessions() as session:
        return list(session.scalars(select(DecisionRecord).order_by(DecisionRecord.id)))


def test_worker_decides_each_received_order_version_once(fixed: Services) -> None:
    fixed.intake.ingest_hl7(
        [rde("W1", "RX-W1"), rde("W2", "RX-W2", storage="F")], connector="default"
    )
    assert fixed.decider.decide_pending() == 2
    assert fixed.decider.decide_pending() == 0
    first = _decisions(fixed)
    assert [(d.order_version, d.rule_set_version, d.site) for d in first] == [(1, 1, "demo")] * 2
    # A changed order is a new version: it is decided again; an unchanged resend is not.
    fixed.intake.ingest_hl7([rde("W3", "RX-W1", quantity="5")], connector="default")
    fixed.intake.ingest_hl7([rde("W4", "RX-W2", storage="F")], connector="default")
    assert fixed.decider.decide_pending() == 1
    assert [d.order_version for d in _decisions(fixed)] == [1, 1, 2]


def test_cancelled_orders_are_not_decided(fixed: Services) -> None:
    fixed.intake.ingest_hl7([rde("C1", "RX-C1")], connector="default")
    fixed.intake.ingest_hl7([rde("C2", "RX-C1", order_control="CA")], connector="default")
    assert fixed.decider.decide_pending() == 0


def test_decisions_are_stored_encrypted_and_read_back(fixed: Services) -> None:
    fixed.intake.ingest_hl7([rde("E1", "RX-E1")], connector="default")
    fixed.decider.decide_pending()
    (record,) = _decisions(fixed)
    assert b"Chose" not in record.decision_encrypted
    full = fixed.decider.read(record)
    assert full["order_id"] == "RX-E1"
    assert full["delivery_type"] == record.delivery_type.value == "courier"
    assert full["rule_set_version"] == 1
    assert str(full["reasons"]).count("Chose Courier") == 1


def test_holds_are_listed_as_the_current_exceptions(fixed: Services) -> None:
    fixed.intake.ingest_hl7([rde("H1", "RX-H1"), rde("H2", "RX-H2")], connector="default")
    fixed.decider.clock = lambda: dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC)  # too late
    fixed.decider.decide_order(order_id="RX-H1", connector=None, actor="test")
    fixed.decider.decide_pending()
    with fixed.sessions() as session:
        holds = list_current(session=session, delivery_type=DeliveryType.HOLD, limit=10)
        assert sorted(order.order_id for _, order in holds) == ["RX-H1", "RX-H2"]
        fixed.decider.clock = lambda: TUESDAY
    fixed.decider.decide_order(order_id="RX-H1", connector=None, actor="test")
    with fixed.sessions() as session:
        holds = list_current(session=session, delivery_type=DeliveryType.HOLD, limit=10)
        assert [order.order_id for _, order in holds] == ["RX-H2"]
        row = session.scalars(select(Order).where(Order.order_id == "RX-H1")).one()
        assert row.id is not None
        latest = current_decision(session=session, order_pk=row.id)
        assert latest is not None and latest.delivery_type is DeliveryType.COURIER


def test_activation_versions_rule_sets_per_site(fixed: Services) -> None:
    strict = load_rule_set(
        DEFAULT_TEXT.replace("courier_radius_miles: 50", "courier_radius_miles: -1"),
        source="strict.yaml",
    )
    with fixed.sessions() as session, session.begin():
        first = activate(
            session=session,
            site="demo",
            rules=load_rule_set(DEFAULT_TEXT, source="d"),
            actor="test",
        )
        second = activate(session=session, site="demo", rules=strict, actor="test")
        again = activate(session=session, site="demo", rules=strict, actor="test")
    assert (first.version, second.version, again.version) == (1, 2, 2)
    with fixed.sessions() as session:
        active = active_version(session=session, site="demo")
        assert active is not None and active.sha256 == strict.sha256
        assert session.scalar(select(func.count()).select_from(RuleSetVersion)) == 2
        events = session.scalars(select(AuditEvent).where(AuditEvent.entity == "rule_set")).all()
        assert [e.detail["version"] for e in events] == [1, 2]
    fixed.intake.ingest_hl7([rde("V1", "RX-V1")], connector="default")
    fixed.decider.decide_pending()
    (record,) = _decisions(fixed)
    assert record.rule_set_version == 2
    assert record.delivery_type is not DeliveryType.COURIER  # a negative radius: no courier


def test_a_broken_rule_file_never_becomes_active(fixed: Services) -> None:
    fixed.intake.ingest_hl7([rde("B1", "RX-B1")], connector="default")
    fixed.decider.decide_pending()  # activates the configured default as v1
    with pytest.raises(ConfigError):
        load_rule_set(DEFAULT_TEXT.replace("storage: frozen", "storage: icy"), source="bad.yaml")
    with fixed.sessions() as session:
        active = active_version(session=session, site="demo")
        assert active is not None and (active.version, active.text) == (1, DEFAULT_TEXT)


def test_an_order_no_site_serves_is_held_and_blocks_nothing(
    settings: Settings, tmp_path: Path
) -> None:
    # Two sites, neither serving the default connector.
    (tmp_path / "sites").mkdir()
    (tmp_path / "connectors").mkdir()
    demo = (files("finalmile.config.defaults") / "sites" / "demo.yaml").read_text()
    for name in ("demo", "north"):
        site_text = demo.replace("name: demo", f"name: {name}").replace("[default]", f"[{name}]")
        (tmp_path / "sites" / f"{name}.yaml").write_text(site_text)
    services = build_services(settings.model_copy(update={"config_dir": tmp_path}))
    try:
        services.decider.clock = lambda: TUESDAY
        services.intake.ingest_hl7([rde("N1", "RX-N1"), rde("N2", "RX-N2")], connector="default")
        assert services.decider.decide_pending() == 2
        records = _decisions(services)
        assert {(r.site, r.delivery_type, r.rule_set_version) for r in records} == {
            ("(none)", DeliveryType.HOLD, None)
        }
        assert services.decider.read(records[0])["reasons"] == [
            "Hold: no dispensing site serves connector 'default' (several sites, none lists it);"
            " a person must decide"
        ]
    finally:
        services.close()


def test_orders_of_a_site_that_cannot_be_built_are_held_naming_why(
    settings: Settings, tmp_path: Path
) -> None:
    (tmp_path / "sites").mkdir()
    (tmp_path / "connectors").mkdir()
    demo = (files("finalmile.config.defaults") / "sites" / "demo.yaml").read_text()
    (tmp_path / "sites" / "demo.yaml").write_text(demo.replace('"02139"', '"00000"'))
    services = build_services(settings.model_copy(update={"config_dir": tmp_path}))
    try:
        services.decider.clock = lambda: TUESDAY
        services.intake.ingest_hl7([rde("Z1", "RX-Z1")], connector="default")
        assert services.decider.decide_pending() == 1
        (record,) = _decisions(services)
        # Before, this read "no dispensing site serves connector 'default'": the wrong fix.
        assert services.decider.read(record)["reasons"] == [
            "Hold: site demo: postal_code '00000' is not a known ZIP; a person must decide"
        ]
    finally:
        services.close()
