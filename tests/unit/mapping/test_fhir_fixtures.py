"""Good FHIR R4 payloads map to the exact contract JSON and dedupe keys."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from finalmile.mapping.fhir import map_fhir
from finalmile.mapping.fhir_profile import FhirProfile
from finalmile.mapping.intent import OrderAction

FIXTURES = Path(__file__).parents[2] / "fixtures" / "fhir"


def contracts(name: str, **kwargs: Any) -> list[dict[str, Any] | str]:
    mapping = map_fhir(
        (FIXTURES / name).read_bytes(), connector="default", profile=FhirProfile(), **kwargs
    )
    return [
        intent.order.to_contract() if intent.order else f"{intent.action}:{intent.order_id}"
        for intent in mapping.intents
    ]


JANE = {
    "mrn": "MRN1001",
    "family": "Testpatient",
    "given": "Jane",
    "birth_date": "1961-04-02",
    "phone": "+16175550100",
    "email": "jane.testpatient@example.test",
}


def test_transaction_bundle_with_urn_uuid_references() -> None:
    assert contracts("transaction_urn_uuid.json") == [
        {
            "order_id": "RX-1001",
            "connector": "default",
            "patient": JANE,
            "ship_to": {
                "name": "Jane Testpatient",
                "line1": "500 Test Tower",
                "line2": "Floor 2",
                "city": "Boston",
                "state": "MA",
                "postal_code": "02116",
                "country": "US",
            },
            "items": [
                {
                    "ndc": "00002821501",
                    "description": "Insulin lispro 100 unit/mL",
                    "quantity": 2,
                    "unit": "mL",
                    "storage": "refrigerated",
                    "storage_source": None,
                    "controlled_schedule": None,
                    "code": "00000",
                    "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                }
            ],
            "needed_by": "2026-11-24T17:00:00-05:00",
            "requires_signature": True,
            "instructions": None,  # MedicationDispense.note is clinical, not for a courier
        },
        {
            "order_id": "RX-1002",
            "connector": "default",
            "patient": JANE,
            "ship_to": {
                "name": "Jane Testpatient",
                "line1": "12 Elm St",
                "line2": "Apt 3",
                "city": "Cambridge",
                "state": "MA",
                "postal_code": "02139",
                "country": "US",
            },
            "items": [
                {
                    "ndc": "00069258710",
                    "description": "Vancomycin 1 g vial",
                    "quantity": 1.5,
                    "unit": "g",
                    "storage": None,
                    "storage_source": None,
                    "controlled_schedule": None,
                    "code": None,
                    "system": None,
                }
            ],
            "needed_by": "2026-11-25T23:59:59-05:00",
            "requires_signature": False,
            "instructions": None,
        },
    ]


def test_collection_bundle_with_a_cancelled_dispense() -> None:
    assert contracts("collection_cancelled.json") == [
        {
            "order_id": "md-2002",
            "connector": "default",
            "patient": {
                "mrn": "MRN2002",
                "family": "Sample",
                "given": "Sam",
                "birth_date": None,
                "phone": None,
                "email": None,
            },
            "ship_to": {
                "name": "Sam Sample",
                "line1": "9 Test Rd",
                "line2": None,
                "city": "Springfield",
                "state": "IL",
                "postal_code": "62701",
                "country": "US",
            },
            "items": [
                {
                    "ndc": "00000000002",
                    "description": "Test tablets 10 mg",
                    "quantity": 30,
                    "unit": "TAB",
                    "storage": None,
                    "storage_source": None,
                    "controlled_schedule": None,
                    "code": None,
                    "system": None,
                }
            ],
            "needed_by": "2026-07-04T23:59:59-04:00",
            "requires_signature": False,
            "instructions": None,
        },
        "cancel:RX-2003",
    ]


def test_lone_dispense_with_contained_patient() -> None:
    assert contracts("lone_contained_patient.json") == [
        {
            "order_id": "md-3003",
            "connector": "default",
            "patient": {
                "mrn": "MRN3003",
                "family": "Fakename",
                "given": "Alex",
                "birth_date": None,
                "phone": "+442079460000",
                "email": None,
            },
            "ship_to": {
                "name": "Alex Fakename",
                "line1": "3 Sample Lane",
                "line2": None,
                "city": "Testville",
                "state": "VT",
                "postal_code": "05001",
                "country": "US",
            },
            "items": [
                {
                    "ndc": None,
                    "description": "Test vaccine",
                    "quantity": 1,
                    "unit": "vial",
                    "storage": "frozen",
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
    ]


def test_dedupe_keys_use_id_and_version_else_a_hash() -> None:
    profile = FhirProfile()
    versioned = map_fhir(
        (FIXTURES / "collection_cancelled.json").read_bytes(), connector="c", profile=profile
    )
    assert versioned.dedupe_keys == [
        "MedicationDispense/md-2002/_history/4",
        "MedicationDispense/md-2003/_history/2",
    ]
    assert versioned.intents[1].action is OrderAction.CANCEL
    raw = (FIXTURES / "transaction_urn_uuid.json").read_bytes()
    first = map_fhir(raw, connector="c", profile=profile).dedupe_keys
    assert len(first) == 2 and all(k.startswith("sha256:") and len(k) == 71 for k in first)
    assert first == map_fhir(raw, connector="c", profile=profile).dedupe_keys
    lone = map_fhir(
        (FIXTURES / "lone_contained_patient.json").read_bytes(), connector="c", profile=profile
    )
    assert lone.dedupe_keys[0].startswith("MedicationDispense/md-3003#sha256:")


def test_resolver_fetches_references_outside_the_payload() -> None:
    data = json.loads((FIXTURES / "collection_cancelled.json").read_text())
    patient = data["entry"].pop(0)["resource"]
    asked: list[str] = []

    def resolve(reference: str) -> dict[str, Any] | None:
        asked.append(reference)
        return patient if reference == "Patient/pat-2002" else None

    mapping = map_fhir(
        json.dumps(data).encode(), connector="c", profile=FhirProfile(), resolve=resolve
    )
    assert asked == ["Patient/pat-2002"]
    assert mapping.intents[0].order is not None
    assert mapping.intents[0].order.patient.mrn == "MRN2002"


def test_profile_storage_codes_and_extension_urls_are_configurable() -> None:
    data = json.loads((FIXTURES / "lone_contained_patient.json").read_text())
    data["extension"] = [{"url": "urn:x:cold", "valueCode": "F"}]
    profile = FhirProfile(storage_extension="urn:x:cold", storage_codes={"F": "refrigerated"})
    mapping = map_fhir(json.dumps(data).encode(), connector="c", profile=profile)
    assert mapping.intents[0].order is not None
    assert mapping.intents[0].order.items[0].storage == "refrigerated"
