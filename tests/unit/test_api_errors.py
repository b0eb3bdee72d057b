"""Domain errors map onto HTTP statuses with one JSON shape; codes serialise as plain strings."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from finalmile.api.errors import install_error_handlers
from finalmile.errors import ConflictError, InputError
from finalmile.mapping.codes import MappingCode
from finalmile.shipments.codes import ShipmentCode


def _answer(error: Exception) -> tuple[int, bytes]:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/")
    def _raise() -> None:
        raise error

    response = TestClient(app, raise_server_exceptions=False).get("/")
    return response.status_code, response.content


def test_a_conflict_answers_409_in_the_input_error_shape() -> None:
    conflict = ConflictError("void it first", location="carrier", code=ShipmentCode.NOT_VOIDABLE)
    assert _answer(conflict) == (
        409,
        b'{"error":{"code":"not_voidable","message":"void it first","location":"carrier"}}',
    )
    assert _answer(ConflictError("busy"))[1] == (
        b'{"error":{"code":"conflict","message":"busy","location":null}}'
    )


def test_an_input_error_answers_422_with_its_code_as_a_string() -> None:
    error = InputError("bad date", location="PID-7", code=MappingCode.INVALID_DATE)
    assert _answer(error) == (
        422,
        b'{"error":{"code":"invalid_date","message":"bad date","location":"PID-7"}}',
    )
    assert str(error) == "PID-7: bad date" and InputError("x").code == "invalid"


def test_a_bug_answers_500_in_the_shape_without_its_message() -> None:
    status, body = _answer(RuntimeError("Jane Doe, 1 Main St"))
    assert (status, body) == (
        500,
        b'{"error":{"code":"internal_error","message":"internal error; see the server log",'
        b'"location":null}}',
    )


def test_request_validation_answers_in_the_shape_without_the_value() -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/items/{item_id}")
    def _item(item_id: int, limit: int) -> None: ...

    answer = TestClient(app).get("/items/Jane")
    assert answer.status_code == 422 and "Jane" not in answer.text
    error = answer.json()["error"]
    assert error["location"] == "path.item_id" and error["code"] == "invalid"
    missing = TestClient(app).get("/items/1").json()["error"]
    assert missing["code"] == "required" and missing["location"] == "query.limit"
    unknown = TestClient(app).get("/nowhere")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"


def test_a_body_that_cannot_be_parsed_is_a_located_422_not_an_undocumented_400() -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/things")
    def _things(thing: dict[str, int]) -> None: ...

    client = TestClient(app)
    response = client.post(
        "/things", content=b"\xc3\x28\xa0", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json() == {
        "error": {"code": "invalid", "message": "the body cannot be parsed", "location": "body"}
    }
