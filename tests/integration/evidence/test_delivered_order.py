"""A courier delivery end to end: driver ePOD with a signature, the temperature log that billing
may wait for, and the archive packet."""

from __future__ import annotations

import base64
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select
from sqlmodel import col

from finalmile.app import Services
from finalmile.auth.models import Scope
from finalmile.auth.service import create_key
from finalmile.billing import confirm_key
from finalmile.config.settings import Settings
from finalmile.courier.assignments import assign_order
from finalmile.courier.drivers import create_driver
from finalmile.main import create_app
from finalmile.orders.models import Order
from finalmile.outbox import OutboxEvent
from tests.conftest import read_fixture
from tests.integration.evidence.conftest import EST, store_order
from tests.integration.shipments.conftest import SHIP_FROM

PICKED_UP_AT = dt.datetime(2026, 11, 21, 8, 20, tzinfo=EST)
DELIVERED_AT = dt.datetime(2026, 11, 21, 11, 40, tzinfo=EST)


@pytest.fixture
def courier_client(settings: Settings, tmp_path: Path) -> Iterator[TestClient]:
    """The app with an in-house courier account (no outside effect on buy), and a ``strict``
    connector whose billing waits for a passing temperature log."""
    connectors = tmp_path / "config" / "connectors"
    connectors.mkdir(parents=True)
    (connectors / "strict.yaml").write_text(
        "hl7v2: {}\nwriteback:\n  billing:\n    require_temperature_pass: true\n"
    )
    configured = settings.model_copy(
        update={
            "carriers": {"drivers": {"type": "courier", "ship_from": SHIP_FROM}},
            "config_dir": tmp_path / "config",
            "outbox_workers": 0,
        }
    )
    with TestClient(create_app(configured)) as client:
        yield client


def signature_png() -> bytes:
    image = Image.new("L", (160, 50), 255)
    for x in range(10, 150):
        image.putpixel((x, 25 + (x // 9) % 6), 0)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def deliver(client: TestClient, sequence: int, *, connector: str = "default") -> Order:
    """Store an order, ship it with a driver, and post the pick-up and the signed delivery."""
    services: Services = client.app.state.services
    order = store_order(services, sequence, connector=connector)
    shipment = services.shipments.buy(
        order_id=order.order_id, account="drivers", service=None, connector=None, actor="test"
    )
    driver_id = f"D-{sequence}"
    with services.sessions() as session, session.begin():
        driver = create_driver(session=session, driver_id=driver_id, name="Pat Courier", actor="t")
        assign_order(
            session=session, driver_id=driver_id, order_id=order.order_id, connector=None, actor="t"
        )
    proof = {
        "signer_name": "Alex Testpatient",
        "relationship": "self",
        "signature_png": base64.b64encode(signature_png()).decode(),
    }
    updates = [
        {
            "client_id": "u1",
            "stop": shipment.key,
            "kind": "picked_up",
            "occurred_at": PICKED_UP_AT.isoformat(),
        },
        {
            "client_id": "u2",
            "stop": shipment.key,
            "kind": "delivered",
            "occurred_at": DELIVERED_AT.isoformat(),
            "proof": proof,
            "gps": {"latitude": 42.1015, "longitude": -72.5898, "accuracy_m": 8},
        },
    ]
    posted = client.post(
        "/driver/updates",
        json={"updates": updates},
        headers={"Authorization": f"Bearer {driver.token}"},
    )
    assert [r["outcome"] for r in posted.json()["results"]] == ["applied", "applied"], posted.text
    return order


@pytest.fixture
def headers(courier_client: TestClient) -> dict[str, str]:
    services: Services = courier_client.app.state.services
    with services.sessions() as session, session.begin():
        return {"X-API-Key": create_key(session=session, name="t", scopes=[Scope.ADMIN]).token}


def upload(
    client: TestClient, headers: dict[str, str], order: Order, name: str
) -> dict[str, object]:
    response = client.post(
        f"/orders/{order.order_id}/temperature-logs",
        files={"file": (name, read_fixture("temperature", name))},
        data={"layout": "usb-logger" if name.startswith("usb") else "generic"},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def confirmations(client: TestClient, order: Order) -> int:
    services: Services = client.app.state.services
    assert order.id is not None
    with services.sessions() as session:
        keys = session.scalars(
            select(col(OutboxEvent.key)).where(col(OutboxEvent.key) == confirm_key(order.id))
        )
        return len(list(keys))


def test_the_packet_of_a_delivered_order_embeds_the_signature(
    courier_client: TestClient, headers: dict[str, str]
) -> None:
    order = deliver(courier_client, 41)
    log = upload(courier_client, headers, order, "generic_celsius.csv")
    assert log["verdict"] == "pass"
    assert log["summary"]["whole_trip"] is True  # type: ignore[index]
    index = courier_client.get(f"/orders/{order.order_id}/archive", headers=headers).json()
    assert index["pod"]["complete"] is True, index["pod"]["missing"]
    assert index["pod"]["relationship"] == "self" and index["pod"]["signature_sha256"]
    assert index["retention"]["basis"] == "delivery"
    assert index["retention"]["until"] == "2036-11-21"
    assert index["custody"]["verified"] is True
    pdf = courier_client.get(f"/orders/{order.order_id}/archive.pdf", headers=headers).content
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert sum(len(page.images) for page in reader.pages) == 1
    assert "Alex Testpatient" in text and "Result complete" in text.replace(":", "")
    assert "departure to delivery" in text
    assert "42.1015, -72.5898 (within 8 m)" in text


def test_billing_that_waits_for_temperature_is_confirmed_by_a_passing_log_only(
    courier_client: TestClient, headers: dict[str, str]
) -> None:
    waiting = deliver(courier_client, 51, connector="strict")
    assert confirmations(courier_client, waiting) == 0  # POD complete, no temperature log yet
    assert upload(courier_client, headers, waiting, "generic_celsius.csv")["verdict"] == "pass"
    assert confirmations(courier_client, waiting) == 1
    assert upload(courier_client, headers, waiting, "usb_logger_export.csv")["verdict"] == "pass"
    assert confirmations(courier_client, waiting) == 1  # exactly once

    warm = deliver(courier_client, 52, connector="strict")
    lines = read_fixture("temperature", "generic_celsius.csv").decode().splitlines()
    too_warm = "\n".join([lines[0], *(f"{line.split(',')[0]},9.5" for line in lines[1:])])
    response = courier_client.post(
        f"/orders/{warm.order_id}/temperature-logs",
        files={"file": ("warm.csv", too_warm.encode())},
        headers=headers,
    )
    assert response.json()["verdict"] == "excursion"
    assert confirmations(courier_client, warm) == 0
