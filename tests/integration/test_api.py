"""HTTP API: keys and scopes, orders (filters, pagination, detail), messages, HL7 over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from finalmile.app import Services
from finalmile.auth.models import Scope
from finalmile.auth.service import create_key, revoke_key
from finalmile.config.settings import Settings
from finalmile.main import create_app
from tests.hl7_builder import PATIENT_FAMILY, msa, rde

HL7 = {"Content-Type": "x-application/hl7-v2+er7"}


def _key(client: TestClient, *scopes: Scope) -> str:
    services: Services = client.app.state.services
    with services.sessions() as session, session.begin():
        return create_key(session=session, name="test", scopes=scopes).token


@pytest.fixture
def admin(client: TestClient) -> dict[str, str]:
    return {"X-API-Key": _key(client, Scope.ADMIN)}


@pytest.fixture
def loaded(client: TestClient, admin: dict[str, str]) -> Iterator[TestClient]:
    for n in range(5):
        storage = "F" if n % 2 else "R"
        response = client.post(
            "/hl7/v2", content=rde(f"H{n}", f"RX-{n}", storage=storage), headers={**admin, **HL7}
        )
        assert response.status_code == 200, response.text
    yield client


def test_health_needs_no_key_and_readiness_checks_storage(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "intake": "ok"}


@pytest.mark.parametrize("path", ["/orders", "/orders/RX-1", "/messages/1"])
def test_every_endpoint_but_health_needs_a_key(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert client.get(path, headers={"X-API-Key": "fm_nope_nope"}).status_code == 401


def test_scopes_are_enforced(client: TestClient) -> None:
    reader = {"X-API-Key": _key(client, Scope.ORDERS_READ)}
    writer = {"X-API-Key": _key(client, Scope.ORDERS_WRITE)}
    assert client.get("/orders", headers=reader).status_code == 200
    assert client.get("/orders", headers=writer).status_code == 403
    assert (
        client.post("/hl7/v2", content=rde("S1", "RX-S1"), headers={**reader, **HL7}).status_code
        == 403
    )
    assert (
        client.post("/hl7/v2", content=rde("S1", "RX-S1"), headers={**writer, **HL7}).status_code
        == 200
    )


def test_revoked_key_is_refused(client: TestClient) -> None:
    token = _key(client, Scope.ADMIN)
    services: Services = client.app.state.services
    with services.sessions() as session, session.begin():
        assert revoke_key(session=session, prefix=token.split("_")[1])
    assert client.get("/orders", headers={"X-API-Key": token}).status_code == 401


def test_hl7_over_http_answers_with_the_ack(client: TestClient, admin: dict[str, str]) -> None:
    good = client.post("/hl7/v2", content=rde("P1", "RX-P1"), headers={**admin, **HL7})
    again = client.post("/hl7/v2", content=rde("P1", "RX-P1"), headers={**admin, **HL7})
    bad = client.post(
        "/hl7/v2", content=rde("P2", "RX-P2", quantity="-1"), headers={**admin, **HL7}
    )
    assert (good.status_code, msa(good.content)[1]) == (200, "AA")
    assert (again.status_code, msa(again.content)[1]) == (200, "AA")
    assert (bad.status_code, msa(bad.content)[1]) == (422, "AE")
    assert good.headers["content-type"].startswith("x-application/hl7-v2+er7")


def test_order_list_filters_and_paginates_without_patient_data(
    loaded: TestClient, admin: dict[str, str]
) -> None:
    first = loaded.get("/orders", params={"limit": 2}, headers=admin).json()
    assert [o["order_id"] for o in first["items"]] == ["RX-4", "RX-3"]
    assert PATIENT_FAMILY not in str(first)
    seen = [o["order_id"] for o in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = loaded.get("/orders", params={"limit": 2, "cursor": cursor}, headers=admin).json()
        seen += [o["order_id"] for o in page["items"]]
        cursor = page["next_cursor"]
    assert seen == ["RX-4", "RX-3", "RX-2", "RX-1", "RX-0"]
    frozen = loaded.get(
        "/orders", params={"connector": "default", "status": "received"}, headers=admin
    )
    assert len(frozen.json()["items"]) == 5
    assert (
        loaded.get("/orders", params={"status": "cancelled"}, headers=admin).json()["items"] == []
    )
    soon = loaded.get("/orders", params={"needed_before": "2026-11-24T00:00:00Z"}, headers=admin)
    assert soon.json()["items"] == []
    bad = loaded.get("/orders", params={"cursor": "garbage"}, headers=admin)
    assert bad.status_code == 422
    assert bad.json()["error"]["location"] == "cursor"


def test_order_detail_is_the_contract_with_status_and_history(
    loaded: TestClient, admin: dict[str, str]
) -> None:
    body = loaded.get("/orders/RX-1", headers=admin).json()
    assert body["order"] == {
        "order_id": "RX-1",
        "connector": "default",
        "patient": {
            "mrn": "MRN4417",
            "family": "Quillfeather",
            "given": "Odalys",
            "birth_date": "1958-03-17",
            "phone": "+16175550142",
            "email": None,
        },
        "ship_to": {
            "name": "Odalys Quillfeather",
            "line1": "417 Juniper Hollow Rd",
            "line2": None,
            "city": "Cambridge",
            "state": "MA",
            "postal_code": "02139",
            "country": "US",
        },
        "items": [
            {
                "ndc": "00002821501",
                "description": "Insulin lispro 100 unit/mL",
                "quantity": 2,
                "unit": "mL",
                "storage": "frozen",
                "storage_source": "message",
                "controlled_schedule": None,
                "code": None,
                "system": None,
            }
        ],
        "needed_by": "2026-11-24T17:00:00-05:00",
        "requires_signature": True,
        "instructions": "Leave with concierge",
    }
    assert body["status"] == "received"
    assert body["version"] == 1
    assert [h["action"] for h in body["history"]] == ["created"]
    assert body["history"][0]["actor"] == "connector:default"
    assert len(body["message_ids"]) == 1
    assert loaded.get("/orders/RX-404", headers=admin).status_code == 404


def test_message_detail_and_raw_needs_admin(loaded: TestClient, admin: dict[str, str]) -> None:
    order = loaded.get("/orders/RX-0", headers=admin).json()
    message_id = order["message_ids"][0]
    detail = loaded.get(f"/messages/{message_id}", headers=admin).json()
    assert detail["status"] == "accepted"
    assert detail["control_id"] == "H0"
    assert detail["orders"] == [{"order_id": "RX-0", "connector": "default", "action": "created"}]
    assert detail["raw"] is None
    raw = loaded.get(f"/messages/{message_id}", params={"include_raw": True}, headers=admin).json()
    assert raw["raw"].startswith("MSH|^~\\&|PMS")
    reader = {"X-API-Key": _key(loaded, Scope.ORDERS_READ)}
    assert loaded.get(f"/messages/{message_id}", headers=reader).status_code == 200
    refused = loaded.get(f"/messages/{message_id}", params={"include_raw": True}, headers=reader)
    assert refused.status_code == 403
    assert loaded.get("/messages/999999", headers=admin).status_code == 404


def test_openapi_documents_the_api_key(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert "/orders/{order_id}" in schema["paths"]
    assert schema["components"]["securitySchemes"]["APIKeyHeader"]["name"] == "X-API-Key"


def test_api_docs_can_be_turned_off(settings: Settings) -> None:
    hidden = settings.model_copy(update={"api_docs": False})
    with TestClient(create_app(hidden)) as client:
        assert client.get("/openapi.json").status_code == 404
        assert client.get("/docs").status_code == 404
    assert (
        Settings(environment="production", secret_key="k", database_url="x").serve_api_docs is False
    )
