"""Connector profiles re-point canonical fields to FHIR paths (``fields:``, a FHIRPath subset)."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
from pydantic import ValidationError

from finalmile.errors import InputError
from finalmile.mapping.fhir import map_fhir
from finalmile.mapping.fhir_paths import compile_path
from finalmile.mapping.fhir_profile import FhirProfile
from finalmile.mapping.fields import CANONICAL_FIELDS

PMS = "https://pms.example/"
DROP = f"Location.extension('{PMS}drop').valueAddress"

# A synthetic PMS that keeps most of an order where the default profile does not look: its own
# extensions, identifier systems and name uses, an alternative drop-off address on the Location,
# the NDC as the second coding, the unit as a Task input.
BUNDLE: dict[str, Any] = {
    "resourceType": "Bundle",
    "type": "collection",
    "entry": [
        {
            "fullUrl": "urn:uuid:md-1",
            "resource": {
                "resourceType": "MedicationDispense",
                "identifier": [
                    {"system": "urn:pms:rx", "value": "DEFAULT-ID"},
                    {"system": "urn:pms:order", "value": "ORD-501"},
                ],
                "extension": [
                    {"url": f"{PMS}deliver-by", "valueDateTime": "2026-12-02T10:00:00-05:00"},
                    {"url": f"{PMS}sig", "valueString": "Y"},
                    {"url": f"{PMS}temp", "valueCode": "FRIDGE"},
                    {"url": f"{PMS}qty", "valueDecimal": 2.5},
                ],
                "status": "completed",
                "medicationReference": {"reference": "urn:uuid:med-1"},
                "subject": {"reference": "urn:uuid:pt-1"},
                "destination": {"reference": "urn:uuid:loc-1"},
                "quantity": {"value": 1, "unit": "EA"},
                "note": [{"text": "Pharmacist note"}, {"text": "Ring the bell twice"}],
            },
        },
        {
            "fullUrl": "urn:uuid:pt-1",
            "resource": {
                "resourceType": "Patient",
                "identifier": [
                    {"system": "urn:oid:9.9", "value": "OTHER-ID"},
                    {"system": "urn:oid:1.2.3", "value": "SYN-PT-9"},
                ],
                "extension": [{"url": f"{PMS}dob", "valueDate": "1980-02-29"}],
                "name": [
                    {"use": "official", "family": "Default", "given": ["Dee"]},
                    {"use": "usual", "family": "Testperson", "given": ["Bea", "Q"]},
                ],
                "telecom": [
                    {"system": "phone", "use": "home", "value": "617-555-0111"},
                    {"system": "phone", "use": "mobile", "value": "(617) 555-0177"},
                    {"system": "email", "use": "work", "value": "bea@example.test"},
                ],
            },
        },
        {
            "fullUrl": "urn:uuid:loc-1",
            "resource": {
                "resourceType": "Location",
                "name": "Sample Clinic",
                "extension": [
                    {
                        "url": f"{PMS}drop",
                        "valueAddress": {
                            "line": ["9 Test Plaza", "Dock B"],
                            "city": "Monterrey",
                            "state": "NL",
                            "postalCode": "64000",
                            "country": "MEX",
                        },
                    }
                ],
            },
        },
        {
            "fullUrl": "urn:uuid:med-1",
            "resource": {
                "resourceType": "Medication",
                "extension": [{"url": f"{PMS}dea", "valueString": "C-IIN"}],
                "code": {
                    "coding": [
                        {"system": "urn:pms:item", "code": "ITEM-7", "display": "Drug X 5 mg"},
                        {"system": "urn:pms:ndc11", "code": "12345-0678-90"},
                    ]
                },
            },
        },
        {
            "fullUrl": "urn:uuid:task-1",
            "resource": {
                "resourceType": "Task",
                "status": "requested",
                "intent": "order",
                "focus": {"reference": "urn:uuid:md-1"},
                "input": [{"type": {"text": "unit"}, "valueString": "SYRINGE"}],
            },
        },
    ],
}
FIELDS = {
    "order_id": "MedicationDispense.identifier.where(system='urn:pms:order').value",
    "patient.mrn": "Patient.identifier.where(system='urn:oid:1.2.3').value",
    "patient.family": "Patient.name.where(use='usual').family",
    "patient.given": "Patient.name.where(use='usual').given[0]",
    "patient.birth_date": f"Patient.extension('{PMS}dob').valueDate",
    "patient.phone": "Patient.telecom.where(use='mobile').value",
    "patient.email": "Patient.telecom.where(use='work').value",
    "ship_to.name": "Location.name",
    "ship_to.line1": f"{DROP}.line[0]",
    "ship_to.line2": f"{DROP}.line[1]",
    "ship_to.city": f"{DROP}.city",
    "ship_to.state": f"{DROP}.state",
    "ship_to.postal_code": f"{DROP}.postalCode",
    "ship_to.country": f"{DROP}.country",
    "item.ndc": "Medication.code.coding[1].code",
    "item.description": "Medication.code.coding.where(system='urn:pms:item').display",
    "item.quantity": f"MedicationDispense.extension('{PMS}qty').valueDecimal",
    "item.unit": "Task.input[0].valueString",
    "item.storage": f"MedicationDispense.extension('{PMS}temp').valueCode",
    "item.controlled_schedule": f"Medication.extension('{PMS}dea').valueString",
    "needed_by": f"MedicationDispense.extension('{PMS}deliver-by').valueDateTime",
    "requires_signature": f"MedicationDispense.extension('{PMS}sig').valueString",
    "instructions": "MedicationDispense.note[1].text",
}


def _profile(fields: dict[str, str]) -> FhirProfile:
    return FhirProfile(
        timezone="America/Chicago",
        fields=fields,
        storage_codes={"FRIDGE": "refrigerated", "ambient": "ambient"},  # type: ignore[dict-item]
    )


def contract(payload: dict[str, Any], fields: dict[str, str] = FIELDS) -> dict[str, Any]:
    mapping = map_fhir(json.dumps(payload).encode(), connector="c", profile=_profile(fields))
    order = mapping.intents[0].order
    assert order is not None
    return order.to_contract()


def error(payload: dict[str, Any], fields: dict[str, str] = FIELDS) -> InputError:
    with pytest.raises(InputError) as caught:
        contract(payload, fields)
    return caught.value


def changed(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    """BUNDLE with the element at ``path`` (keys and indexes) set to ``value``."""
    payload = copy.deepcopy(BUNDLE)
    node: Any = payload
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return payload


def test_every_field_can_be_re_pointed() -> None:
    assert set(FIELDS) == set(CANONICAL_FIELDS)
    assert contract(BUNDLE) == {
        "order_id": "ORD-501",
        "connector": "c",
        "patient": {
            "mrn": "SYN-PT-9",
            "family": "Testperson",
            "given": "Bea",
            "birth_date": "1980-02-29",
            "phone": "+16175550177",
            "email": "bea@example.test",
        },
        "ship_to": {
            "name": "Sample Clinic",
            "line1": "9 Test Plaza",
            "line2": "Dock B",
            "city": "Monterrey",
            "state": "NL",
            "postal_code": "64000",
            "country": "MX",
        },
        "items": [
            {
                "ndc": "12345067890",
                "description": "Drug X 5 mg",
                "quantity": 2.5,
                "unit": "SYRINGE",
                "storage": "refrigerated",
                "storage_source": None,
                "controlled_schedule": "IIN",
                "code": "ITEM-7",
                "system": "urn:pms:item",
            }
        ],
        "needed_by": "2026-12-02T10:00:00-05:00",
        "requires_signature": True,
        "instructions": "Ring the bell twice",
    }


def test_defaults_still_apply_where_a_re_pointed_field_or_the_default_fails() -> None:
    # The Patient has no identifier and the Location no address: both are re-pointed.
    payload = changed(("entry", 1, "resource", "identifier"), [])
    payload["entry"][1]["resource"]["identifier"] = [{"system": "urn:oid:1.2.3", "value": "P-1"}]
    found = contract(payload, {k: v for k, v in FIELDS.items() if k.startswith(("ship", "pat"))})
    assert found["patient"]["mrn"] == "P-1"
    assert found["order_id"] == "DEFAULT-ID"  # identifier[0], the default
    assert found["items"][0]["quantity"] == 1  # MedicationDispense.quantity, the default
    assert found["instructions"] is None  # a dispense's note is clinical, never an instruction


def test_a_date_alone_is_the_end_of_that_day_in_the_profile_zone() -> None:
    payload = changed(("entry", 0, "resource", "extension", 0, "valueDateTime"), "2026-12-02")
    assert contract(payload)["needed_by"] == "2026-12-02T23:59:59-06:00"


@pytest.mark.parametrize(
    ("path", "value", "location", "code"),
    [
        (
            ("extension", 0, "valueDateTime"),
            "2026-12",
            "extension[0].valueDateTime",
            "invalid_date",
        ),
        (("extension", 1, "valueString"), "perhaps", "extension[1].valueString", "invalid_value"),
        (("extension", 2, "valueCode"), "HOT", "extension[2].valueCode", "unknown_storage_code"),
        (("extension", 3, "valueDecimal"), -1, "extension[3].valueDecimal", "invalid_quantity"),
        (("note", 1), {"text": None}, "note[1].text", "required"),
    ],
)
def test_errors_are_located_at_the_evaluated_path(
    path: tuple[Any, ...], value: Any, location: str, code: str
) -> None:
    fields = FIELDS | {"patient.mrn": "MedicationDispense.note[1].text"}
    caught = error(changed(("entry", 0, "resource", *path), value), fields)
    expected = f"Bundle.entry[0].resource.{location}"
    if code == "required":  # nothing selected: the path as configured, under its resource
        expected = "Bundle.entry[0].resource.note[1].text"
    assert (caught.location, caught.code) == (expected, code)
    assert str(value) not in caught.message


def test_a_lone_dispense_is_located_from_its_root() -> None:
    dispense = copy.deepcopy(BUNDLE["entry"][0]["resource"])
    dispense["extension"][0]["valueDateTime"] = "2026"
    dispense["contained"] = [{"resourceType": "Patient", "id": "p", "identifier": [{"value": "1"}]}]
    dispense["subject"] = {"reference": "#p"}
    dispense["medicationCodeableConcept"] = {"text": "Drug"}
    del dispense["medicationReference"], dispense["destination"]
    fields = {"needed_by": FIELDS["needed_by"], "ship_to.line1": "Patient.address[0].line[0]"}
    with pytest.raises(InputError) as caught:
        contract(dispense, fields)
    assert caught.value.location == "MedicationDispense.extension[0].valueDateTime"


def test_a_path_selecting_nothing_names_where_it_looked() -> None:
    caught = error(changed(("entry", 1, "resource", "identifier"), []))
    assert caught.location == (
        "Bundle.entry[1].resource.identifier.where(system='urn:oid:1.2.3').value"
    )
    assert caught.code == "required"


def test_a_path_selecting_an_element_is_refused() -> None:
    caught = error(BUNDLE, FIELDS | {"instructions": "MedicationDispense.note[1]"})
    assert (caught.location, caught.code) == ("Bundle.entry[0].resource.note[1]", "invalid_value")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Observation.value", "must start with one of MedicationDispense, Patient"),
        ("Patient", "names a whole resource"),
        ("Patient.name.first()", "unsupported FHIRPath at '.first()'"),
        ("Patient.identifier.where(system!='x').value", 'unsupported FHIRPath at ".where('),
        ("Patient.name[x]", "unsupported FHIRPath at '[x]'"),
    ],
)
def test_unsupported_paths_are_refused_when_the_profile_loads(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        compile_path(text)
    with pytest.raises(ValidationError, match=re.escape(message)):
        FhirProfile.model_validate({"fields": {"instructions": text}})
