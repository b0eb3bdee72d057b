"""The audit archive: JSON index and PDF per order, custody verification, retention listing."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import update
from sqlmodel import col
from typer.testing import CliRunner

from finalmile.app import Services
from finalmile.auth.models import Scope
from finalmile.auth.service import create_key
from finalmile.cli import app
from finalmile.config.settings import Settings
from finalmile.orders.models import Order
from finalmile.tracking.custody import CustodyKind
from finalmile.tracking.models import CustodyEvent
from tests.conftest import read_fixture
from tests.integration.evidence.conftest import EST, hand_off, store_order

runner = CliRunner()


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_index_and_packet_hold_the_order_temperature_and_custody(
    client: TestClient, app_services: Services, headers: dict[str, str]
) -> None:
    order = store_order(app_services, 11)
    hand_off(app_services, order, CustodyKind.PACKED, dt.datetime(2026, 11, 21, 7, 45, tzinfo=EST))
    hand_off(
        app_services, order, CustodyKind.PICKED_UP, dt.datetime(2026, 11, 21, 8, 5, tzinfo=EST)
    )
    content = read_fixture("temperature", "generic_celsius.csv")
    posted = client.post(
        f"/orders/{order.order_id}/temperature-logs",
        files={"file": ("log.csv", content)},
        headers=headers,
    )
    assert posted.status_code == 201
    index = client.get(f"/orders/{order.order_id}/archive", headers=headers)
    assert index.status_code == 200, index.text
    body = index.json()
    assert body["temperature_verdict"] == "pass"
    assert body["temperature"][0]["raw_sha256"] == posted.json()["raw_sha256"]
    raw = client.get(body["temperature"][0]["raw"], headers=headers)
    assert raw.status_code == 200 and raw.content == content  # exactly as uploaded
    other = body["temperature"][0]["raw"].replace(order.order_id, "SYN-0000012")
    store_order(app_services, 12)
    assert client.get(other, headers=headers).status_code == 404  # not this order's log
    assert body["pod"]["complete"] is False
    assert "delivered_at: no delivery has been recorded" in body["pod"]["missing"]
    custody = body["custody"]
    assert custody["verified"] is True and len(custody["events"]) == 2
    assert custody["head_hash"] == custody["events"][-1]["hash"]
    assert body["retention"]["basis"] == "last change" and body["retention"]["years"] == 10
    assert body["documents"]["packet_pdf"] == f"/orders/{order.order_id}/archive.pdf"
    assert "Testpatient" not in index.text  # the index carries no patient data
    pdf = client.get(f"/orders/{order.order_id}/archive.pdf", headers=headers)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    text = pdf_text(pdf.content)
    assert f"Audit packet: order {order.order_id}" in text
    assert "Testpatient" in text and "99999030305" in text
    assert "every reading within 2.0-8.0 °C" in text
    assert "verified: 2 events, every hash checks out" in text
    assert custody["head_hash"] in text.replace("\n", "")


def test_a_tampered_custody_event_shows_in_the_archive(
    client: TestClient, app_services: Services, headers: dict[str, str]
) -> None:
    order = store_order(app_services, 12)
    for minutes, kind in enumerate(
        (CustodyKind.PACKED, CustodyKind.PICKED_UP, CustodyKind.DELIVERED)
    ):
        hand_off(app_services, order, kind, dt.datetime(2026, 11, 21, 8, minutes, tzinfo=EST))
    with app_services.sessions() as session, session.begin():
        session.execute(
            update(CustodyEvent)
            .where(col(CustodyEvent.order_pk) == order.id, col(CustodyEvent.seq) == 2)
            .values(actor="driver:SOMEONE-ELSE")
        )
    custody = client.get(f"/orders/{order.order_id}/archive", headers=headers).json()["custody"]
    assert (custody["verified"], custody["first_bad_seq"]) == (False, 2)
    assert custody["problem"] == "content does not match its hash"
    text = pdf_text(client.get(f"/orders/{order.order_id}/archive.pdf", headers=headers).content)
    assert "NOT verified: event 2 content does not match its hash" in text


def test_archive_of_an_unknown_order_is_404(client: TestClient, headers: dict[str, str]) -> None:
    assert client.get("/orders/NOPE/archive", headers=headers).status_code == 404
    assert client.get("/orders/NOPE/archive.pdf", headers=headers).status_code == 404


def test_retention_lists_only_what_is_past_it(services: Services) -> None:
    old, recent = store_order(services, 21), store_order(services, 22)
    eleven_years_ago = dt.datetime(2015, 6, 1, 12, tzinfo=dt.UTC)
    with services.sessions() as session, session.begin():
        session.execute(
            update(Order).where(col(Order.id) == old.id).values(updated_at=eleven_years_ago)
        )
    archive = services.archive
    listed = archive.past_retention(today=dt.date(2026, 11, 22))
    assert [(e.order_id, e.retention.basis) for e in listed] == [(old.order_id, "last change")]
    assert listed[0].retention.until == dt.date(2025, 6, 1)
    assert archive.past_retention(today=dt.date(2025, 6, 1)) == []  # the last day is still kept
    later = archive.past_retention(today=dt.date(2040, 1, 1))
    assert [e.order_id for e in later] == [old.order_id, recent.order_id]


def test_cli_imports_shows_exports_and_lists_retention(
    cli_env: Settings, services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = store_order(services, 31)
    fixtures = Path(__file__).parents[2] / "fixtures" / "temperature"
    imported = runner.invoke(
        app,
        [
            "temperature",
            "import",
            order.order_id,
            str(fixtures / "usb_logger_export.csv"),
            "--layout",
            "usb-logger",
        ],
    )
    assert imported.exit_code == 0, imported.stderr
    line = json.loads(imported.stdout)
    assert (line["verdict"], line["logger_id"], line["created"]) == ("pass", "GUL2045187", True)
    bad = runner.invoke(
        app, ["temperature", "import", order.order_id, str(fixtures / "generic_bad_rows.csv")]
    )
    assert bad.exit_code == 1
    errors = [json.loads(row) for row in bad.stderr.splitlines()]
    assert [(e["line"], e["column"]) for e in errors][:2] == [
        (3, "temperature_c"),
        (4, "timestamp"),
    ]
    shown = runner.invoke(app, ["temperature", "show", order.order_id])
    assert json.loads(shown.stdout.splitlines()[0]) == {
        "order_id": order.order_id,
        "verdict": "pass",
    }
    out = tmp_path / "packet.pdf"
    exported = runner.invoke(app, ["archive", "export", order.order_id, "--out", str(out)])
    assert exported.exit_code == 0, exported.stderr
    assert out.read_bytes().startswith(b"%PDF") and order.order_id in pdf_text(out.read_bytes())
    refused = runner.invoke(app, ["archive", "purge"])
    assert refused.exit_code == 2 and "--dry-run" in refused.stderr
    with services.sessions() as session, session.begin():
        session.execute(
            update(Order)
            .where(col(Order.id) == order.id)
            .values(updated_at=dt.datetime(2010, 1, 1, tzinfo=dt.UTC))
        )
    listed = runner.invoke(app, ["archive", "purge", "--dry-run"])
    assert listed.exit_code == 0, listed.stderr
    assert [json.loads(row)["order_id"] for row in listed.stdout.splitlines()] == [order.order_id]


def test_the_raw_export_needs_the_admin_scope(
    client: TestClient, app_services: Services, headers: dict[str, str]
) -> None:
    order = store_order(app_services, 13)
    content = read_fixture("temperature", "generic_celsius.csv")
    log = client.post(
        f"/orders/{order.order_id}/temperature-logs",
        files={"file": ("l.csv", content)},
        headers=headers,
    ).json()
    with app_services.sessions() as session, session.begin():
        reader = create_key(session=session, name="reader", scopes=[Scope.ORDERS_READ]).token
    path = f"/orders/{order.order_id}/temperature-logs/{log['id']}/raw"
    assert client.get(path, headers={"X-API-Key": reader}).status_code == 403
    assert client.get(f"/orders/{order.order_id}/archive", headers={"X-API-Key": reader}).is_success
