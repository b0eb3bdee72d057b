"""Inputs that used to reach a 500 answer a located 4xx in the one error shape."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from finalmile.app import Services
from finalmile.auth.models import Scope
from finalmile.auth.service import create_key
from finalmile.messages.models import InboundMessage

HEADER = b"order_id,mrn,family,given,line1,city,state,postal_code,quantity\n"


def _admin(client: TestClient) -> dict[str, str]:
    services: Services = client.app.state.services
    with services.sessions() as session, session.begin():
        return {"X-API-Key": create_key(session=session, name="t", scopes=[Scope.ADMIN]).token}


@pytest.mark.parametrize(
    ("order_id", "code"),
    [(b"RX-\xff1", "control_character"), (b"INJ|PID\rZZZ", "control_character")],
    ids=["byte-0xff", "carriage-return"],
)
def test_a_csv_order_id_that_is_not_clean_text_is_a_located_rejection(
    client: TestClient, order_id: bytes, code: str
) -> None:
    row = b'"' + order_id + b'",MRN-T1,Testpatient,Alpha,1 Test St,Springfield,IL,62701,1\n'
    files = {"file": ("orders.csv", HEADER + row, "text/csv")}
    answer = client.post("/csv", files=files, headers=_admin(client))
    assert answer.status_code == 422, answer.text
    (rejected,) = answer.json()["rejected"]
    assert rejected["code"] == code and rejected["location"] == "line 2, column 'order_id'"
    assert rejected["order_id"] is None
    services: Services = client.app.state.services
    with services.sessions() as session:
        assert session.scalars(select(InboundMessage)).all()  # kept for correction and replay


def test_a_fhir_order_id_with_a_control_character_is_refused_at_its_path(
    client: TestClient,
) -> None:
    dispense = {
        "resourceType": "MedicationDispense",
        "id": "md1",
        "status": "in-progress",
        "identifier": [{"value": "INJ|PID\rZZZ"}],
        "medicationCodeableConcept": {"text": "Test drug"},
        "subject": {"display": "Testpatient"},
    }
    headers = {**_admin(client), "Content-Type": "application/fhir+json"}
    answer = client.post("/fhir/r4", content=json.dumps(dispense), headers=headers)
    assert answer.status_code == 422, answer.text
    issue = answer.json()["issue"][0]
    assert "MedicationDispense.identifier" in issue["expression"]
    assert "control" in issue["diagnostics"] and "INJ" not in issue["diagnostics"]


@pytest.mark.parametrize(
    "path",
    ["/messages/99999999999999999999", "/routes/plans/99999999999999999999"],
)
def test_an_integer_path_parameter_past_a_bigint_is_422(client: TestClient, path: str) -> None:
    answer = client.get(path, headers=_admin(client))
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "invalid"


def test_a_huge_logging_interval_is_422_not_an_overflow(client: TestClient) -> None:
    answer = client.post(
        "/orders/RX-1/temperature-logs",
        files={"file": ("log.csv", b"time,temp\n", "text/csv")},
        data={"interval_seconds": "1e300"},
        headers=_admin(client),
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["location"] == "body.interval_seconds"


def test_an_error_names_the_field_and_rule_never_the_cell_value(client: TestClient) -> None:
    row = b"RX-9,MRN-T9,Testpatient,Alpha,1 Test St,Springfield,IL,62701,Zelda Testpatient\n"
    files = {"file": ("orders.csv", HEADER + row, "text/csv")}
    answer = client.post("/csv", files=files, headers=_admin(client))
    assert answer.status_code == 422 and "Zelda" not in answer.text
    assert answer.json()["rejected"][0]["error"] == "the quantity must be a number greater than 0"
    services: Services = client.app.state.services
    with services.sessions() as session:
        (stored,) = session.scalars(select(InboundMessage)).all()
        assert "Zelda" not in str(stored.error_message)


def test_a_csv_header_of_a_million_columns_is_a_clear_422(client: TestClient) -> None:
    header = b",".join(b"c%d" % i for i in range(1_000_000)) + b"\n"
    files = {"file": ("wide.csv", header, "text/csv")}
    answer = client.post("/csv", files=files, headers=_admin(client))
    assert answer.status_code == 422, answer.text[:300]
    assert "line_too_long" in answer.text
