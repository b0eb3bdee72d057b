"""FHIR R4 replies for the HTTP endpoint: OperationOutcome and transaction-response Bundles."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from finalmile.adapters.fhir.codes import FhirErrorCode
from finalmile.errors import InputError


def operation_outcome(errors: Sequence[InputError]) -> dict[str, Any]:
    """An OperationOutcome with one error issue per InputError (FHIR R4 ``OperationOutcome.issue``).

    ``issue.code`` comes from the stable error code (``required``, ``value``, ``not-supported``...,
    else ``invalid``); ``diagnostics`` is the message; ``expression`` the FHIR path when known.
    """
    issues: list[dict[str, Any]] = []
    for error in errors:
        issue: dict[str, Any] = {
            "severity": "error",
            "code": _issue_type(error.code),
            "details": {"text": error.code},
            "diagnostics": error.message,
        }
        if error.location:
            issue["expression"] = [error.location]
        issues.append(issue)
    return {"resourceType": "OperationOutcome", "issue": issues}


def transaction_response(results: Iterable[tuple[str, bool]]) -> dict[str, Any]:
    """A ``transaction-response`` Bundle: one entry per ``(dispense id, created)`` in request order.

    FHIR R4 ``Bundle.entry.response``: status ``201 Created`` for a new resource, else ``200 OK``;
    ``location`` is ``MedicationDispense/<id>``.
    """
    entries = [
        {
            "response": {
                "status": "201 Created" if created else "200 OK",
                "location": f"MedicationDispense/{dispense_id}",
            }
        }
        for dispense_id, created in results
    ]
    return {"resourceType": "Bundle", "type": "transaction-response", "entry": entries}


def _issue_type(code: str) -> str:
    try:
        return FhirErrorCode(code).issue_type
    except ValueError:
        return "invalid"
