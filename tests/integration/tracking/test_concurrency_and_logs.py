"""Concurrent deliveries of one carrier event count once; tracking logs carry no patient data and
no webhook secret."""

from __future__ import annotations

import base64
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from finalmile.app import Services
from finalmile.carriers.easypost.webhooks import parse_event
from finalmile.config.settings import Settings
from finalmile.courier import assignments, drivers
from finalmile.db import transaction
from finalmile.logging import configure_logging
from finalmile.main import create_app
from tests.integration.shipments.conftest import ingest_orders
from tests.integration.tracking.conftest import EASYPOST_SECRET
from tests.integration.tracking.helpers import dropship, easypost_event, outbox_topics, signed
from tests.integration.tracking.test_driver_api import delivery_run, proof, update


def test_one_event_delivered_concurrently_is_processed_once(tracked: Services) -> None:
    order_id, number = dropship(tracked, 1100)
    service = tracked.tracking
    event = parse_event(easypost_event(number, 5, event_id="evt_race"))

    def deliver(_: int) -> str:
        return service.receive(
            provider="easypost", event_id=event.event_id, report=event.report
        ).outcome

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = Counter(pool.map(deliver, range(12)))

    assert outcomes == {"processed": 1, "duplicate": 11}
    assert outbox_topics(tracked, order_id) == {
        "order.shipped": 1,
        "order.delivered": 1,
        "order.delivery_confirmed": 1,
    }


def test_tracking_logs_name_no_patient_and_no_secret(
    track_settings: Settings, tracked: Services, capfd: pytest.CaptureFixture[str]
) -> None:
    configure_logging("DEBUG")
    order_id, number = dropship(tracked, 1200)
    (courier_order,) = ingest_orders(tracked, 1, start=1201)
    stop = tracked.shipments.buy(order_id=courier_order, account="drivers").key
    with transaction(tracked.sessions) as session:
        issued = drivers.create_driver(session=session, driver_id="L1", name="Lou Van", actor="t")
        assignments.assign_order(
            session=session, driver_id="L1", order_id=courier_order, connector=None, actor="t"
        )
    bearer = {"Authorization": f"Bearer {issued.token}"}
    raw, headers = signed(easypost_event(number, 5, event_id="evt_logs"))
    not_png = {**proof(), "signature_png": base64.b64encode(b"GIF89a").decode()}

    with TestClient(create_app(track_settings)) as api:
        api.post("/webhooks/easypost", content=raw, headers=headers)
        api.post("/webhooks/easypost", content=raw, headers={"X-Hmac-Signature": "x"})
        api.post(
            "/driver/updates",
            headers=bearer,
            json={"updates": [update("z", stop, "delivered", proof=not_png)]},
        )
        api.post(
            "/driver/updates", headers=bearer, json={"updates": delivery_run(stop, "l", proof())}
        )
        stops = api.get("/driver/stops", headers=bearer).json()

    output = capfd.readouterr()
    logged = output.out + output.err
    assert "tracking_webhook_processed" in logged and order_id in logged
    assert [s["stop"] for s in stops] == [stop]
    for secret_or_phi in (
        EASYPOST_SECRET,
        "Pat Caregiver",
        "Testpatient",
        "Test Street",
        issued.token,
    ):
        assert secret_or_phi not in logged
