"""The front door: bodies over a limit get 413, deep JSON a 4xx, and every error one shape."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from finalmile.app import Services
from finalmile.auth.models import Scope
from finalmile.auth.service import create_key

DEEP = b"[" * 100_000 + b"]" * 100_000


def _admin(client: TestClient) -> dict[str, str]:
    services: Services = client.app.state.services
    with services.sessions() as session, session.begin():
        return {"X-API-Key": create_key(session=session, name="t", scopes=[Scope.ADMIN]).token}


def _error(answer: object) -> dict[str, object]:
    body = answer.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "location"}
    return body["error"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("path", "media"),
    [
        ("/webhooks/easypost", "application/json"),
        ("/hl7/v2", "x-application/hl7-v2+er7"),
        ("/fhir/r4", "application/fhir+json"),
    ],
)
def test_a_body_over_the_limit_is_refused_413(client: TestClient, path: str, media: str) -> None:
    headers = {**_admin(client), "Content-Type": media}
    answer = client.post(path, content=b" " * (1_048_576 + 1), headers=headers)
    assert answer.status_code == 413
    assert _error(answer)["code"] == "too_large"


def test_a_chunked_body_is_cut_off_as_it_streams(client: TestClient) -> None:
    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(4):
            yield b" " * 600_000

    answer = client.post("/webhooks/easypost", content=chunks())
    assert answer.status_code == 413 and _error(answer)["code"] == "too_large"


def test_an_upload_has_its_own_larger_limit(client: TestClient) -> None:
    files = {"file": ("orders.csv", b"order_id\n" + b"x" * 2_000_000, "text/csv")}
    answer = client.post("/csv", files=files, headers=_admin(client))
    assert answer.status_code != 413


@pytest.mark.parametrize(
    ("path", "media"),
    [
        ("/webhooks/easypost", "application/json"),
        ("/webhooks/easypost", "text/plain"),
        ("/fhir/r4", "application/fhir+json"),
        ("/driver/updates", "application/json"),
    ],
)
def test_json_nested_100k_deep_is_a_4xx(client: TestClient, path: str, media: str) -> None:
    answer = client.post(path, content=DEEP, headers={**_admin(client), "Content-Type": media})
    assert 400 <= answer.status_code < 500, answer.text


def test_deep_fhir_is_refused_too_deep(client: TestClient) -> None:
    headers = {**_admin(client), "Content-Type": "application/fhir+json"}
    answer = client.post("/fhir/r4", content=DEEP, headers=headers)
    assert answer.status_code == 422 and _error(answer)["code"] == "too_deep"


def test_request_validation_uses_the_one_error_shape(client: TestClient) -> None:
    answer = client.get("/orders", params={"limit": "many"}, headers=_admin(client))
    assert answer.status_code == 422
    assert _error(answer)["location"] == "query.limit"
