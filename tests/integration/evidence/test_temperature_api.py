"""Temperature logs over HTTP: upload, verdicts, idempotent re-upload, errors, trip window."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient

from finalmile.app import Services
from finalmile.evidence import Verdict, temperature_verdict
from finalmile.evidence.temperature.layouts.base import ReadOptions
from finalmile.evidence.temperature.service import Upload
from finalmile.tracking.custody import CustodyKind
from finalmile_devtools.synthetic import order_id_for
from tests.conftest import read_fixture
from tests.integration.evidence.conftest import EST, hand_off, store_order


def upload(client: TestClient, headers: dict[str, str], order_id: str, name: str, **form: str):  # type: ignore[no-untyped-def]
    content = read_fixture("temperature", name)
    return client.post(
        f"/orders/{order_id}/temperature-logs",
        files={"file": (name, content, "text/csv")},
        data=form,
        headers=headers,
    )


def test_upload_judges_the_log_and_billing_can_ask(
    client: TestClient, app_services: Services, headers: dict[str, str]
) -> None:
    order = store_order(app_services, 1)
    with app_services.sessions() as session:
        assert temperature_verdict(session, order.id) is None  # type: ignore[arg-type]
    response = upload(client, headers, order.order_id, "generic_celsius.csv")
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["verdict"], body["reading_count"], body["interval_seconds"]) == ("pass", 49, 300.0)
    assert body["reasons"][0] == "every reading within 2.0-8.0 °C"
    assert body["summary"]["max_celsius"] == 5.3
    with app_services.sessions() as session:
        assert temperature_verdict(session, order.id) is Verdict.PASS  # type: ignore[arg-type]
    again = upload(client, headers, order.order_id, "generic_celsius.csv")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    shown = client.get(f"/orders/{order.order_id}/temperature?readings=true", headers=headers)
    assert shown.status_code == 200
    record = shown.json()
    assert (record["verdict"], record["storage"], len(record["logs"])) == (
        "pass",
        "refrigerated",
        1,
    )
    readings = record["logs"][0]["readings"]
    assert len(readings) == 49 and readings[3]["celsius"] == 5.3
    assert dt.datetime.fromisoformat(readings[0]["at"]) == dt.datetime(2026, 11, 21, 8, tzinfo=EST)
    history = client.get(f"/orders/{order.order_id}", headers=headers).json()["history"]
    assert [h["action"] for h in history][-1] == "temperature_log"


def test_a_vendor_export_in_fahrenheit_for_a_frozen_order_is_an_excursion(
    client: TestClient, app_services: Services, headers: dict[str, str]
) -> None:
    order = store_order(app_services, 2, storage="F")
    response = upload(client, headers, order.order_id, "usb_logger_export.csv", layout="usb-logger")
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["verdict"], body["logger_id"]) == ("excursion", "GUL2045187")
    assert body["reasons"][0].startswith("245 min above -10.0 °C from 08:00 to 12:05 (peak 5.3 °C)")
    with app_services.sessions() as session:
        assert temperature_verdict(session, order.id) is Verdict.EXCURSION  # type: ignore[arg-type]


def test_bad_rows_are_refused_by_line_and_column_and_nothing_is_stored(
    client: TestClient, app_services: Services, headers: dict[str, str]
) -> None:
    order = store_order(app_services, 3)
    response = upload(client, headers, order.order_id, "generic_bad_rows.csv")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_temperature_log"
    assert error["location"] == "line 3, column 'temperature_c'"
    assert "line 4, column 'timestamp'" in error["message"]
    shown = client.get(f"/orders/{order.order_id}/temperature", headers=headers).json()
    assert (shown["verdict"], shown["logs"]) == (None, [])
    unknown = upload(client, headers, order.order_id, "generic_celsius.csv", layout="acme")
    assert unknown.status_code == 422 and unknown.json()["error"]["location"] == "layout"
    missing = upload(client, headers, "NO-SUCH-ORDER", "generic_celsius.csv")
    assert missing.status_code == 404


def test_the_trip_window_comes_from_custody_and_re_evaluation_uses_it(
    client: TestClient, app_services: Services, headers: dict[str, str]
) -> None:
    order = store_order(app_services, 4)
    hand_off(
        app_services, order, CustodyKind.PICKED_UP, dt.datetime(2026, 11, 21, 8, 30, tzinfo=EST)
    )
    body = upload(client, headers, order.order_id, "generic_celsius.csv").json()
    assert body["verdict"] == "pass"  # delivery not known yet: the whole log
    assert body["summary"]["whole_trip"] is False
    hand_off(
        app_services, order, CustodyKind.DELIVERED, dt.datetime(2026, 11, 21, 13, 0, tzinfo=EST)
    )
    record = app_services.temperature.evaluate_order(
        order_id=order.order_id, connector=None, actor="test"
    )
    assert record.verdict is Verdict.INCOMPLETE  # the log stops at 12:00, delivery was at 13:00
    evaluation = record.logs[0].evaluation
    assert evaluation.summary["whole_trip"] is True
    assert evaluation.reasons[-1] == (
        "no reading for 60 min from 12:00 to 13:00; logging interval 5 min,"
        " at most 10 min without a reading"
    )
    with app_services.sessions() as session:
        assert temperature_verdict(session, order.id) is Verdict.INCOMPLETE  # type: ignore[arg-type]


def test_reading_needs_a_key_and_uploading_needs_write(
    client: TestClient, app_services: Services
) -> None:
    order_id = order_id_for(9)
    assert client.get(f"/orders/{order_id}/temperature").status_code == 401
    content = read_fixture("temperature", "generic_celsius.csv")
    post = client.post(f"/orders/{order_id}/temperature-logs", files={"file": ("a.csv", content)})
    assert post.status_code == 401


def test_concurrent_uploads_of_one_file_store_one_log(services: Services) -> None:
    order = store_order(services, 5)
    service = services.temperature
    upload_ = Upload(
        content=read_fixture("temperature", "generic_celsius.csv"),
        layout="generic",
        options=ReadOptions(zone=service.zone),
    )
    barrier = threading.Barrier(4)

    def send(_: int) -> int:
        barrier.wait()
        stored = service.import_log(
            order_id=order.order_id, connector=None, upload=upload_, actor="test"
        )
        assert stored.row.id is not None
        return stored.row.id

    with ThreadPoolExecutor(max_workers=4) as pool:
        ids = set(pool.map(send, range(4)))
    assert len(ids) == 1
    assert len(service.for_order(order_id=order.order_id, connector=None).logs) == 1
