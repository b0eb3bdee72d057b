"""The driver API: each driver sees and updates only their own stops; an offline queue resent
counts once; the ePOD must be signed by the patient or a designee, never the driver."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from finalmile.app import Services
from finalmile.config.settings import Settings
from finalmile.courier import assignments, drivers
from finalmile.courier.driver_tables import DriverUpdate
from finalmile.db import transaction
from finalmile.main import create_app
from finalmile.tracking.models import TrackingEventRow
from tests.integration.shipments.conftest import ingest_orders
from tests.integration.tracking.helpers import api_key, custody_kinds, outbox_topics, state_of

#: A 1x1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)
WHEN = dt.datetime(2026, 11, 21, 14, 0, tzinfo=dt.UTC)


@pytest.fixture
def api(track_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(track_settings)) as client:
        yield client


@pytest.fixture
def crew(tracked: Services) -> dict[str, Any]:
    """Orders shipped with in-house drivers: Dana has two stops, Eli one."""
    orders = ingest_orders(tracked, 3, start=700)
    keys = [tracked.shipments.buy(order_id=o, account="drivers").key for o in orders]
    with transaction(tracked.sessions) as session:
        dana = drivers.create_driver(session=session, driver_id="D1", name="Dana Driver", actor="t")
        eli = drivers.create_driver(session=session, driver_id="D2", name="Eli Wheels", actor="t")
        for order_id, driver in zip(orders, ["D1", "D1", "D2"], strict=True):
            assignments.assign_order(
                session=session, driver_id=driver, order_id=order_id, connector=None, actor="t"
            )
    return {
        "orders": orders,
        "stops": keys,
        "dana": {"Authorization": f"Bearer {dana.token}"},
        "eli": {"Authorization": f"Bearer {eli.token}"},
    }


def update(client_id: str, stop: str, kind: str, minutes: int = 0, **extra: Any) -> dict[str, Any]:
    when = WHEN + dt.timedelta(minutes=minutes)
    return {
        "client_id": client_id,
        "stop": stop,
        "kind": kind,
        "occurred_at": when.isoformat(),
        **extra,
    }


def proof(signer: str = "Pat Caregiver", relationship: str = "caregiver") -> dict[str, Any]:
    return {
        "signer_name": signer,
        "relationship": relationship,
        "signature_png": base64.b64encode(PNG).decode(),
    }


def delivery_run(stop: str, prefix: str, signer: dict[str, Any]) -> list[dict[str, Any]]:
    gps = {"latitude": 42.1, "longitude": -72.6, "accuracy_m": 8}
    return [
        update(f"{prefix}-1", stop, "picked_up", 0),
        update(f"{prefix}-2", stop, "arrived", 45, gps=gps),
        update(f"{prefix}-3", stop, "delivered", 50, gps=gps, proof=signer),
    ]


def count(services: Services, table: type) -> int:
    with services.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def test_a_driver_sees_only_their_stops(api: TestClient, crew: dict[str, Any]) -> None:
    dana = api.get("/driver/stops", headers=crew["dana"]).json()
    eli = api.get("/driver/stops", headers=crew["eli"]).json()

    assert [s["stop"] for s in dana] == crew["stops"][:2]
    assert [s["stop"] for s in eli] == crew["stops"][2:]
    assert dana[0]["address"]["city"] == "Springfield" and dana[0]["requires_signature"]
    assert api.get("/driver/stops").status_code == 401
    bad = {"Authorization": "Bearer fmd_00000000_nope"}
    assert api.get("/driver/stops", headers=bad).status_code == 401


def test_a_driver_cannot_touch_another_drivers_stop(
    api: TestClient, tracked: Services, crew: dict[str, Any]
) -> None:
    elis_stop = crew["stops"][2]

    answer = api.post(
        "/driver/updates",
        headers=crew["dana"],
        json={"updates": [update("x-1", elis_stop, "delivered", proof=proof())]},
    )

    (result,) = answer.json()["results"]
    assert (result["outcome"], result["location"]) == ("rejected", "stop")
    assert state_of(tracked, crew["orders"][2]) is None
    assert count(tracked, DriverUpdate) == 0


def test_an_offline_queue_resent_counts_once(
    api: TestClient, tracked: Services, crew: dict[str, Any]
) -> None:
    order_id, stop = crew["orders"][0], crew["stops"][0]
    queue = delivery_run(stop, "q", proof())

    first = api.post("/driver/updates", headers=crew["dana"], json={"updates": queue}).json()
    again = api.post("/driver/updates", headers=crew["dana"], json={"updates": queue}).json()
    shuffled = api.post(
        "/driver/updates", headers=crew["dana"], json={"updates": queue[::-1]}
    ).json()

    assert [r["outcome"] for r in first["results"]] == ["applied"] * 3
    assert first["results"][-1]["status"] == "delivered"
    assert {r["outcome"] for r in again["results"] + shuffled["results"]} == {"duplicate"}
    assert (count(tracked, DriverUpdate), count(tracked, TrackingEventRow)) == (3, 3)
    assert outbox_topics(tracked, order_id) == {
        "order.shipped": 1,
        "order.delivered": 1,
        "order.delivery_confirmed": 1,
    }
    assert custody_kinds(tracked, order_id) == ["picked_up", "arrived", "delivered"]
    pod = api.get(f"/orders/{order_id}/pod", headers=api_key(tracked)).json()
    assert (pod["complete"], pod["method"], pod["relationship"]) == (True, "courier", "caregiver")
    assert pod["signer_name"] == "Pat Caregiver"
    assert pod["signature_sha256"] is not None


def test_a_reused_client_id_with_other_content_is_refused(
    api: TestClient, crew: dict[str, Any]
) -> None:
    stop = crew["stops"][0]
    api.post(
        "/driver/updates",
        headers=crew["dana"],
        json={"updates": [update("r-1", stop, "picked_up")]},
    )

    answer = api.post(
        "/driver/updates",
        headers=crew["dana"],
        json={"updates": [update("r-1", stop, "arrived", 30)]},
    ).json()

    (result,) = answer["results"]
    assert (result["outcome"], result["location"]) == ("rejected", "client_id")


def test_the_driver_signing_for_the_patient_leaves_the_pod_incomplete(
    api: TestClient, tracked: Services, crew: dict[str, Any]
) -> None:
    order_id, stop = crew["orders"][1], crew["stops"][1]
    run = delivery_run(stop, "s", proof(signer="  dana DRIVER ", relationship="self"))

    results = api.post("/driver/updates", headers=crew["dana"], json={"updates": run}).json()

    assert [r["outcome"] for r in results["results"]] == ["applied"] * 3
    pod = api.get(f"/orders/{order_id}/pod", headers=api_key(tracked)).json()
    assert pod["complete"] is False and pod["signed_by_driver"] is True
    assert [m["field"] for m in pod["missing"]] == ["signature"]
    assert "driver may not sign" in pod["missing"][0]["reason"]
    assert outbox_topics(tracked, order_id) == {"order.shipped": 1, "order.delivered": 1}


def test_designee_rules_and_bad_evidence_are_refused(
    api: TestClient, tracked: Services, crew: dict[str, Any]
) -> None:
    stop = crew["stops"][0]
    as_driver = api.post(
        "/driver/updates",
        headers=crew["dana"],
        json={"updates": [update("d-1", stop, "delivered", proof=proof(relationship="driver"))]},
    )
    not_png = {**proof(), "signature_png": base64.b64encode(b"GIF89a....").decode()}
    bad_image = api.post(
        "/driver/updates",
        headers=crew["dana"],
        json={"updates": [update("d-2", stop, "delivered", proof=not_png)]},
    ).json()
    no_reason = api.post(
        "/driver/updates",
        headers=crew["dana"],
        json={"updates": [update("d-3", stop, "attempt_failed")]},
    )
    future = api.post(
        "/driver/updates",
        headers=crew["dana"],
        json={
            "updates": [{**update("d-4", stop, "picked_up"), "occurred_at": "2999-01-01T00:00:00Z"}]
        },
    ).json()

    assert as_driver.status_code == 422
    assert bad_image["results"][0]["location"] == "proof.signature_png"
    assert no_reason.status_code == 422
    assert future["results"][0]["location"] == "occurred_at"
    assert count(tracked, DriverUpdate) == 0


def test_a_failed_attempt_then_a_second_run(
    api: TestClient, tracked: Services, crew: dict[str, Any]
) -> None:
    order_id, stop = crew["orders"][2], crew["stops"][2]
    first = [
        update("f-1", stop, "picked_up", 0),
        update("f-2", stop, "attempt_failed", 40, reason="no_one_home"),
    ]
    api.post("/driver/updates", headers=crew["eli"], json={"updates": first})
    failed = state_of(tracked, order_id)

    second = delivery_run(stop, "g", proof(signer="Sam Spouse", relationship="spouse"))
    api.post("/driver/updates", headers=crew["eli"], json={"updates": second[1:]})

    assert failed is not None and failed.status.value == "failure"
    state = state_of(tracked, order_id)
    assert state is not None and state.status.value == "delivered"
    assert custody_kinds(tracked, order_id) == [
        "picked_up",
        "delivery_attempted",
        "arrived",
        "delivered",
    ]


def test_dispatchers_reassign_a_stop_over_http(
    api: TestClient, tracked: Services, crew: dict[str, Any]
) -> None:
    order_id, stop = crew["orders"][0], crew["stops"][0]
    headers = api_key(tracked)

    moved = api.put(f"/drivers/D2/stops/{order_id}", headers=headers)
    unknown = api.put("/drivers/nobody/stops/" + order_id, headers=headers)
    no_key = api.put(f"/drivers/D2/stops/{order_id}")

    assert moved.json() == {"driver_id": "D2", "order_id": order_id, "stop": stop}
    assert (unknown.status_code, no_key.status_code) == (404, 401)
    assert [s["stop"] for s in api.get("/driver/stops", headers=crew["dana"]).json()] == [
        crew["stops"][1]
    ]
    assert stop in [s["stop"] for s in api.get("/driver/stops", headers=crew["eli"]).json()]
