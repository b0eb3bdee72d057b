"""FHIR R4 over HTTP: transaction responses, OperationOutcomes with paths, dedupe, replay."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from finalmile.app import Services
from finalmile.auth.models import Scope
from finalmile.auth.service import create_key
from finalmile.intake.outcome import OutcomeKind
from finalmile.intake.service import IntakeService
from finalmile.intake.store import IntakeStore
from finalmile.messages.models import InboundMessage, MessageFormat, MessageStatus
from finalmile.orders.models import Order, OrderStatus
from finalmile.profiles.registry import load_connectors
from tests.conftest import read_fixture

FHIR = {"Content-Type": "application/fhir+json"}


@pytest.fixture
def writer(client: TestClient) -> dict[str, str]:
    services: Services = client.app.state.services
    with services.sessions() as session, session.begin():
        token = create_key(session=session, name="pms", scopes=[Scope.ORDERS_WRITE]).token
    return {"X-API-Key": token, **FHIR}


def _count(client: TestClient, model: type[Any]) -> int:
    services: Services = client.app.state.services
    with services.sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_transaction_gets_a_transaction_response_entry_per_request_entry(
    client: TestClient, writer: dict[str, str]
) -> None:
    body = read_fixture("fhir", "transaction_urn_uuid.json")
    response = client.post("/fhir/r4", content=body, headers=writer)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    answer = response.json()
    assert (answer["resourceType"], answer["type"]) == ("Bundle", "transaction-response")
    statuses = [entry["response"]["status"] for entry in answer["entry"]]
    assert len(statuses) == len(json.loads(body)["entry"]) == 7
    created = [e["response"] for e in answer["entry"] if "location" in e["response"]]
    assert [r["status"] for r in created] == ["201 Created", "201 Created"]
    assert _count(client, Order) == 2

    again = client.post("/fhir/r4/Bundle", content=body, headers=writer)
    assert again.status_code == 200
    assert again.json()["issue"][0]["code"] == "duplicate"
    assert _count(client, Order) == 2
    assert _count(client, InboundMessage) == 2


def test_lone_dispense_is_created_then_unchanged(
    client: TestClient, writer: dict[str, str]
) -> None:
    body = read_fixture("fhir", "lone_contained_patient.json")
    first = client.post("/fhir/r4/MedicationDispense", content=body, headers=writer)
    assert first.status_code == 201
    assert first.json()["issue"][0]["diagnostics"] == "order md-3003: created"
    edited = json.loads(body)
    edited["quantity"]["value"] = 2
    second = client.post("/fhir/r4/MedicationDispense", content=json.dumps(edited), headers=writer)
    assert second.status_code == 200
    assert second.json()["issue"][0]["diagnostics"] == "order md-3003: updated"


def test_invalid_content_is_kept_and_answered_with_the_failing_path(
    client: TestClient, writer: dict[str, str]
) -> None:
    dispense = json.loads(read_fixture("fhir", "lone_contained_patient.json"))
    dispense["quantity"]["value"] = "lots"
    response = client.post("/fhir/r4", content=json.dumps(dispense), headers=writer)
    assert response.status_code == 422
    [issue] = response.json()["issue"]
    assert issue["severity"] == "error"
    assert issue["expression"] == ["MedicationDispense.quantity.value"]
    with client.app.state.services.sessions() as session:
        [message] = session.scalars(select(InboundMessage)).all()
    assert (message.format, message.status) == (MessageFormat.FHIR_R4, MessageStatus.REJECTED)
    assert message.error_location == "MedicationDispense.quantity.value"


@pytest.mark.parametrize(
    ("path", "body", "headers", "status", "code"),
    [
        ("/fhir/r4", b"{not json", FHIR, 400, "structure"),
        ("/fhir/r4", b'{"resourceType": "Patient"}', FHIR, 400, "not-supported"),
        ("/fhir/r4/Bundle", read_fixture("fhir", "lone_contained_patient.json"), FHIR, 400, None),
        ("/fhir/r4", b"{}", {"Content-Type": "text/plain"}, 415, None),
    ],
)
def test_what_is_not_fhir_is_refused(
    client: TestClient,
    writer: dict[str, str],
    path: str,
    body: bytes,
    headers: dict[str, str],
    status: int,
    code: str | None,
) -> None:
    response = client.post(path, content=body, headers={**writer, **headers})
    assert response.status_code == status
    issue = response.json()["issue"][0]
    assert issue["severity"] == "error"
    if code is not None:
        assert issue["code"] == code


def test_fhir_needs_a_write_key(client: TestClient) -> None:
    body = read_fixture("fhir", "lone_contained_patient.json")
    assert client.post("/fhir/r4", content=body, headers=FHIR).status_code == 401


def test_rejected_fhir_message_replays_after_a_profile_fix(
    services: Services, tmp_path: Path
) -> None:
    dispense = json.loads(read_fixture("fhir", "lone_contained_patient.json"))
    dispense["extension"][0]["valueCode"] = "FRZ"
    [rejected] = services.intake.ingest_fhir([json.dumps(dispense).encode()], connector="default")
    assert rejected.kind is OutcomeKind.REJECTED and rejected.error is not None
    assert rejected.error.location == "MedicationDispense.extension[0].valueCode"
    assert rejected.message_id is not None

    (tmp_path / "connectors").mkdir()
    (tmp_path / "connectors" / "default.yaml").write_text(
        "fhir:\n  mapping:\n    storage_codes: {FRZ: frozen}\n"
    )
    fixed = IntakeService(
        store=IntakeStore(services.engine, services.vault),
        sessions=services.sessions,
        vault=services.vault,
        connectors=load_connectors(services.settings.model_copy(update={"config_dir": tmp_path})),
    )
    replayed = fixed.replay(rejected.message_id)
    assert (replayed.kind, replayed.order_ids, replayed.actions) == (
        OutcomeKind.ACCEPTED,
        ("md-3003",),
        ("created",),
    )
    with services.sessions() as session:
        order = session.scalars(select(Order)).one()
    assert (order.status, order.storage) == (OrderStatus.RECEIVED, "frozen")
