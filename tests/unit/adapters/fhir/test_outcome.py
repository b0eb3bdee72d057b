"""OperationOutcome and transaction-response Bundles follow FHIR R4 and validate as R4B models."""

from __future__ import annotations

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome

from finalmile.adapters.fhir.outcome import operation_outcome, transaction_response
from finalmile.errors import InputError


def test_operation_outcome_shape() -> None:
    outcome = operation_outcome(
        [
            InputError("x is required", location="MedicationDispense.subject", code="required"),
            InputError("bad code", location="Bundle.type", code="unsupported_bundle_type"),
            InputError("not JSON", code="invalid_json"),
            InputError("odd", location="MedicationDispense", code="something_new"),
        ]
    )
    assert outcome == {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": "error",
                "code": "required",
                "details": {"text": "required"},
                "diagnostics": "x is required",
                "expression": ["MedicationDispense.subject"],
            },
            {
                "severity": "error",
                "code": "not-supported",
                "details": {"text": "unsupported_bundle_type"},
                "diagnostics": "bad code",
                "expression": ["Bundle.type"],
            },
            {
                "severity": "error",
                "code": "structure",
                "details": {"text": "invalid_json"},
                "diagnostics": "not JSON",
            },
            {
                "severity": "error",
                "code": "invalid",
                "details": {"text": "something_new"},
                "diagnostics": "odd",
                "expression": ["MedicationDispense"],
            },
        ],
    }
    OperationOutcome.model_validate(outcome)


def test_value_errors_are_issue_type_value() -> None:
    outcome = operation_outcome([InputError("q", location="a.b", code="invalid_quantity")])
    assert outcome["issue"][0]["code"] == "value"


def test_transaction_response() -> None:
    bundle = transaction_response([("md-1", True), ("md-2", False)])
    assert bundle == {
        "resourceType": "Bundle",
        "type": "transaction-response",
        "entry": [
            {"response": {"status": "201 Created", "location": "MedicationDispense/md-1"}},
            {"response": {"status": "200 OK", "location": "MedicationDispense/md-2"}},
        ],
    }
    Bundle.model_validate(bundle)
