"""``finalmile archive purge``: the evidence of orders past retention is deleted once, atomically,
audited without patient data; orders within retention, or with write-back still open, keep it."""

from __future__ import annotations

import datetime as dt
import json

from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlmodel import col
from typer.testing import CliRunner

from finalmile.app import Services
from finalmile.audit import AuditEvent
from finalmile.cli import app
from finalmile.config.settings import Settings
from finalmile.courier.driver_tables import DriverUpdate
from finalmile.evidence.archive.purge import purge_order
from finalmile.evidence.temperature.models import TemperatureEvaluationRow, TemperatureLogRow
from finalmile.orders.models import Order
from finalmile.outbox.worker import OutboxWorker
from finalmile.tracking import custody
from finalmile.tracking.models import DeliveryProof
from tests.integration.evidence.conftest import store_order
from tests.integration.evidence.test_delivered_order import (  # noqa: F401 - fixture
    courier_client,
    deliver,
    headers,
    upload,
)

runner = CliRunner()
#: The fixture deliveries are on 2026-11-21: kept through 2036-11-21 (10 years).
DAY_AFTER = dt.date(2036, 11, 22)


def _count(services: Services, model: type, order: Order) -> int:
    with services.sessions() as session:
        return int(
            session.scalar(
                select(func.count()).select_from(model).where(col(model.order_pk) == order.id)  # type: ignore[attr-defined]
            )
            or 0
        )


def _proof(services: Services, order: Order) -> DeliveryProof:
    with services.sessions() as session:
        return session.scalars(
            select(DeliveryProof).where(col(DeliveryProof.order_pk) == order.id)
        ).one()


def test_purge_deletes_only_what_is_past_retention_once(
    courier_client: TestClient,  # noqa: F811
    headers: dict[str, str],  # noqa: F811
) -> None:
    services: Services = courier_client.app.state.services
    old = deliver(courier_client, 61)
    upload(courier_client, headers, old, "generic_celsius.csv")
    recent = deliver(courier_client, 62)
    upload(courier_client, headers, recent, "generic_celsius.csv")
    with services.sessions() as session, session.begin():
        session.execute(
            update(DeliveryProof)
            .where(col(DeliveryProof.order_pk) == recent.id)
            .values(delivered_at=dt.datetime(2026, 12, 1, 15, tzinfo=dt.UTC))
        )
    OutboxWorker(services.outbox, services.writeback).drain()  # no targets: rows are skipped
    unsent = deliver(courier_client, 63)  # its confirmation is still pending in the outbox
    assert old.id is not None and recent.id is not None
    with services.sessions() as session:
        head_before = custody.verify_chain(custody.chain(session, old.id)).head_hash
    archive = services.archive

    outcomes = archive.purge(actor="test", today=DAY_AFTER)
    again = archive.purge(actor="test", today=DAY_AFTER)

    assert [(o.order_id, o.purged, o.reason) for o in outcomes] == [
        (old.order_id, True, None),
        (unsent.order_id, False, "3 write-back event(s) pending or dead in the outbox"),
    ]
    assert outcomes[0].removed == {
        "temperature_logs": 1,
        "temperature_evaluations": 1,
        "delivery_proofs": 1,
        "tracking_events": 0,
        "driver_updates": 1,  # the delivery (GPS, signer); the pick-up carried none
    }
    assert [(o.order_id, o.purged) for o in again] == [(unsent.order_id, False)]
    assert _count(services, TemperatureLogRow, old) == 0
    assert _count(services, TemperatureEvaluationRow, old) == 0
    proof = _proof(services, old)
    assert (proof.signature_encrypted, proof.photo_encrypted, proof.evidence_encrypted) == (
        None,
        None,
        None,
    )
    assert proof.signature_sha256 and proof.relationship == "self"  # the skeleton stays
    with services.sessions() as session:
        updates = session.scalars(
            select(DriverUpdate).where(col(DriverUpdate.order_pk) == old.id)
        ).all()
        assert [u.evidence_encrypted for u in updates] == [None, None]
        check = custody.verify_chain(custody.chain(session, old.id))
        (audit,) = session.scalars(
            select(AuditEvent).where(
                col(AuditEvent.action) == "evidence_purged",
                col(AuditEvent.entity_id) == str(old.id),
            )
        ).all()
        within = purge_order(
            session,
            order_pk=recent.id,
            years=10,
            today=DAY_AFTER,
            zone=archive.zone,
            actor="test",
        )
    assert check.ok and check.head_hash == head_before
    assert audit.entity == "order" and audit.actor == "test"
    assert audit.detail["retention_years"] == 10 and audit.detail["basis"] == "delivery"
    assert audit.detail["retain_until"] == "2036-11-21"
    assert audit.detail["custody_head_hash"] == head_before
    assert "Testpatient" not in json.dumps(audit.detail)
    assert (within.purged, within.reason) == (False, "within retention until 2036-12-01")
    assert _count(services, TemperatureLogRow, recent) == 1
    assert _proof(services, recent).signature_encrypted is not None
    index = courier_client.get(f"/orders/{old.order_id}/archive", headers=headers).json()
    assert index["retention"]["purged_at"] is not None
    assert index["temperature"] == [] and index["custody"]["verified"] is True
    kept = courier_client.get(f"/orders/{recent.order_id}/archive", headers=headers).json()
    assert kept["retention"]["purged_at"] is None and len(kept["temperature"]) == 1


def test_cli_purge_needs_yes_and_reports_each_order(cli_env: Settings, services: Services) -> None:
    old, recent = store_order(services, 71), store_order(services, 72)
    with services.sessions() as session, session.begin():
        session.execute(
            update(Order)
            .where(col(Order.id) == old.id)
            .values(updated_at=dt.datetime(2015, 6, 1, 12, tzinfo=dt.UTC))
        )

    refused = runner.invoke(app, ["archive", "purge"])
    both = runner.invoke(app, ["archive", "purge", "--dry-run", "--yes"])
    listed = runner.invoke(app, ["archive", "purge", "--dry-run"])
    purged = runner.invoke(app, ["archive", "purge", "--yes"])
    repeated = runner.invoke(app, ["archive", "purge", "--yes"])

    assert (refused.exit_code, both.exit_code) == (2, 2)
    assert "run it with --dry-run to list what is past retention, or with --yes" in refused.stderr
    assert [json.loads(line)["order_id"] for line in listed.stdout.splitlines()] == [old.order_id]
    (line,) = [json.loads(x) for x in purged.stdout.splitlines()]
    assert (line["order_id"], line["outcome"], line["retain_until"]) == (
        old.order_id,
        "purged",
        "2025-06-01",
    )
    assert "1 purged, 0 kept" in purged.stderr
    assert repeated.stdout == "" and "0 purged, 0 kept" in repeated.stderr
    assert runner.invoke(app, ["archive", "purge", "--dry-run"]).stdout == ""
    with services.sessions() as session:
        actions = session.scalars(
            select(col(AuditEvent.entity_id)).where(col(AuditEvent.action) == "evidence_purged")
        ).all()
    assert actions == [str(old.id)] and str(recent.id) not in actions
