"""Domain errors map onto HTTP statuses with one JSON shape; codes serialise as plain strings."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from finalmile.api.errors import install_error_handlers
from finalmile.errors import ConflictError, FinalmileError, InputError
from finalmile.mapping.codes import MappingCode
from finalmile.shipments.codes import ShipmentCode


def _answer(error: FinalmileError) -> tuple[int, bytes]:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/")
    def _raise() -> None:
        raise error

    response = TestClient(app).get("/")
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
