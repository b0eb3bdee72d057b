"""The FHIR R4 spec's MedicationDispense examples 0301 and 0302, with the resolver supplying what
they reference outside themselves (synthetic Patient/pat1 and Location/ph)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from finalmile.errors import InputError
from finalmile.mapping.fhir import map_fhir
from finalmile.mapping.fhir_profile import FhirProfile

FIXTURES = Path(__file__).parents[2] / "fixtures" / "fhir"
PAT1: dict[str, Any] = {
    "resourceType": "Patient",
    "id": "pat1",
    "identifier": [{"value": "MRN-PAT1"}],
    "name": [{"family": "Testduck", "given": ["Donald"]}],
    "address": [
        {
            "use": "home",
            "line": ["1 Pond Test Way"],
            "city": "Duckburg",
            "state": "CA",
            "postalCode": "90210",
        }
    ],
}
PH: dict[str, Any] = {
    "resourceType": "Location",
    "id": "ph",
    "address": {
        "line": ["7 Pharmacy Test Rd"],
        "city": "Duckburg",
        "state": "CA",
        "postalCode": "90210",
    },
}


def resolve(reference: str) -> dict[str, Any] | None:
    known: dict[str, dict[str, Any]] = {"Patient/pat1": PAT1, "Location/ph": PH}
    return known.get(reference)


def contract(name: str) -> dict[str, Any]:
    raw = (FIXTURES / name).read_bytes()
    mapping = map_fhir(raw, connector="pms", profile=FhirProfile(), resolve=resolve)
    (intent,) = mapping.intents
    assert intent.order is not None
    assert mapping.dedupe_keys[0].startswith(f"MedicationDispense/{intent.order_id}#sha256:")
    return intent.order.to_contract()


PATIENT = {
    "mrn": "MRN-PAT1",
    "family": "Testduck",
    "given": "Donald",
    "birth_date": None,
    "phone": None,
    "email": None,
}


def address(line1: str) -> dict[str, Any]:
    return {
        "name": "Donald Testduck",
        "line1": line1,
        "line2": None,
        "city": "Duckburg",
        "state": "CA",
        "postal_code": "90210",
        "country": "US",
    }


def test_medicationdispense0301() -> None:
    assert contract("r4_medicationdispense0301.json") == {
        "order_id": "meddisp0301",
        "connector": "pms",
        "patient": PATIENT,
        "ship_to": address("7 Pharmacy Test Rd"),
        "items": [
            {
                "ndc": "00069258710",
                "description": "Vancomycin Hydrochloride (VANCOMYCIN HYDROCHLORIDE)",
                "quantity": 12,
                "unit": "Vial",
                "storage": None,
                "storage_source": None,
                "controlled_schedule": None,
                "code": None,
                "system": None,
            }
        ],
        "needed_by": None,
        "requires_signature": False,
        "instructions": None,
    }


def test_medicationdispense0302() -> None:
    assert contract("r4_medicationdispense0302.json") == {
        "order_id": "meddisp0302",
        "connector": "pms",
        "patient": PATIENT,
        "ship_to": address("1 Pond Test Way"),
        "items": [
            {
                "ndc": "00169750111",
                "description": "Novolog 100u/ml",
                "quantity": 10,
                "unit": "ml",
                "storage": None,
                "storage_source": None,
                "controlled_schedule": None,
                "code": None,
                "system": None,
            }
        ],
        "needed_by": None,
        "requires_signature": False,
        "instructions": None,
    }


def test_without_a_resolver_the_subject_is_unresolved() -> None:
    raw = (FIXTURES / "r4_medicationdispense0301.json").read_bytes()
    with pytest.raises(InputError) as caught:
        map_fhir(raw, connector="pms", profile=FhirProfile())
    assert (caught.value.location, caught.value.code) == (
        "MedicationDispense.subject.reference",
        "unresolved_reference",
    )
