"""Every kind of bad FHIR input gives an InputError with an exact FHIR path and code, and no PHI."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from finalmile.errors import InputError
from finalmile.mapping.fhir import map_fhir
from finalmile.mapping.fhir_profile import FhirProfile

FIXTURES = Path(__file__).parents[2] / "fixtures" / "fhir"
TXN = json.loads((FIXTURES / "transaction_urn_uuid.json").read_text())
LONE = json.loads((FIXTURES / "lone_contained_patient.json").read_text())
COLL = json.loads((FIXTURES / "collection_cancelled.json").read_text())
PHI = ("Testpatient", "Jane", "1961", "Elm St", "Cambridge", "555", "example.test", "MRN1001")
Edit = Callable[[dict[str, Any]], None]


def error_for(raw: bytes) -> InputError:
    with pytest.raises(InputError) as caught:
        map_fhir(raw, connector="default", profile=FhirProfile())
    for value in PHI:
        assert value not in str(caught.value), f"{value!r} leaked into the error"
    return caught.value


def edited(base: dict[str, Any], edit: Edit) -> bytes:
    data = copy.deepcopy(base)
    edit(data)
    return json.dumps(data).encode()


def md(data: dict[str, Any]) -> dict[str, Any]:
    """The first MedicationDispense of the transaction Bundle (entry 3)."""
    resource: dict[str, Any] = data["entry"][3]["resource"]
    return resource


E3 = "Bundle.entry[3].resource"
CASES: dict[str, tuple[bytes, str | None, str]] = {
    "not JSON": (b"{not json", None, "invalid_json"),
    "not UTF-8": (b'{"resourceType": "Bundle\xff"}', None, "invalid_encoding"),
    "JSON array": (b"[]", "resourceType", "unsupported_resource"),
    "wrong resourceType": (
        edited(LONE, lambda d: d.update(resourceType="MedicationRequest")),
        "resourceType",
        "unsupported_resource",
    ),
    "Bundle.type history": (
        edited(TXN, lambda d: d.update(type="history")),
        "Bundle.type",
        "unsupported_bundle_type",
    ),
    "no dispense in the Bundle": (
        edited(TXN, lambda d: d.update(entry=d["entry"][:3])),
        "Bundle.entry",
        "required",
    ),
    "unknown element": (
        edited(LONE, lambda d: d.update(colour="blue")),
        "MedicationDispense.colour",
        "unknown_element",
    ),
    "invalid birthDate": (
        edited(TXN, lambda d: d["entry"][0]["resource"].update(birthDate="1961-13-02")),
        "Bundle.entry[0].resource.birthDate",
        "invalid_date",
    ),
    "missing subject": (
        edited(TXN, lambda d: md(d).pop("subject")),
        f"{E3}.subject",
        "required",
    ),
    "subject is a Practitioner": (
        edited(
            TXN,
            lambda d: d["entry"][0]["resource"].update(
                resourceType="Practitioner", address=[], telecom=[]
            ),
        ),
        f"{E3}.subject",
        "invalid_reference",
    ),
    "destination is a Patient": (
        edited(TXN, lambda d: md(d)["destination"].update(reference=d["entry"][0]["fullUrl"])),
        f"{E3}.destination",
        "invalid_reference",
    ),
    "medicationReference is a Location": (
        edited(
            TXN,
            lambda d: md(d)["medicationReference"].update(reference=d["entry"][2]["fullUrl"]),
        ),
        f"{E3}.medicationReference",
        "invalid_reference",
    ),
    "unresolvable subject": (
        edited(COLL, lambda d: d["entry"].pop(0)),
        "Bundle.entry[0].resource.subject.reference",
        "unresolved_reference",
    ),
    "unknown contained id": (
        edited(LONE, lambda d: d["subject"].update(reference="#nobody")),
        "MedicationDispense.subject.reference",
        "unresolved_reference",
    ),
    "zero quantity": (
        edited(LONE, lambda d: d["quantity"].update(value=0)),
        "MedicationDispense.quantity.value",
        "invalid_quantity",
    ),
    "negative quantity": (
        edited(TXN, lambda d: md(d)["quantity"].update(value=-2)),
        f"{E3}.quantity.value",
        "invalid_quantity",
    ),
    "no quantity": (
        edited(LONE, lambda d: d.pop("quantity")),
        "MedicationDispense.quantity.value",
        "required",
    ),
    "non-numeric quantity": (
        edited(LONE, lambda d: d["quantity"].update(value="two")),
        "MedicationDispense.quantity.value",
        "invalid_value",
    ),
    "unknown storage code": (
        edited(TXN, lambda d: md(d)["extension"][0].update(valueCode="lukewarm")),
        f"{E3}.extension[0].valueCode",
        "unknown_storage_code",
    ),
    "signature without valueBoolean": (
        edited(TXN, lambda d: md(d)["extension"][1].update(valueBoolean=None)),
        f"{E3}.extension[1].valueBoolean",
        "required",
    ),
    "status outside the value set": (
        edited(LONE, lambda d: d.update(status="shipped")),
        "MedicationDispense.status",
        "invalid_status",
    ),
    "no status": (
        edited(LONE, lambda d: d.pop("status")),
        "MedicationDispense.status",
        "required",
    ),
    "patient without identifier": (
        edited(LONE, lambda d: d["contained"][0].pop("identifier")),
        "MedicationDispense.contained[0].identifier",
        "required",
    ),
    "no address anywhere": (
        edited(LONE, lambda d: d["contained"][0].pop("address")),
        "MedicationDispense.contained[0].address[0]",
        "required",
    ),
    "address without city": (
        edited(TXN, lambda d: d["entry"][2]["resource"]["address"].pop("city")),
        "Bundle.entry[2].resource.address.city",
        "required",
    ),
    "needed-by month only": (
        edited(
            TXN, lambda d: d["entry"][5]["resource"]["restriction"]["period"].update(end="2026-11")
        ),
        "Bundle.entry[5].resource.restriction.period.end",
        "invalid_date",
    ),
    "no order id": (
        edited(TXN, lambda d: md(d).pop("identifier")),
        f"{E3}.identifier",
        "required",
    ),
    # Shapes the R4B models would raise on outside pydantic's errors (KeyError, TypeError,
    # AttributeError): refused at their path before validation.
    "contained resourceType unknown": (
        edited(LONE, lambda d: d["contained"][0].update(resourceType="Patientt")),
        "MedicationDispense.contained[0].resourceType",
        "unsupported_resource",
    ),
    "contained resourceType a list": (
        edited(LONE, lambda d: d["contained"][0].update(resourceType=["Patient"])),
        "MedicationDispense.contained[0].resourceType",
        "unsupported_resource",
    ),
    "contained resource a number": (
        edited(LONE, lambda d: d["contained"].append(7)),
        "MedicationDispense.contained[1]",
        "invalid_value",
    ),
    "entry resource without resourceType": (
        edited(TXN, lambda d: d["entry"][1]["resource"].pop("resourceType")),
        "Bundle.entry[1].resource.resourceType",
        "unsupported_resource",
    ),
    "entry resource a string": (
        edited(TXN, lambda d: d["entry"][1].update(resource="Patient")),
        "Bundle.entry[1].resource",
        "invalid_value",
    ),
    "primitive extension a string": (
        edited(LONE, lambda d: d.update(_status="-1")),
        "MedicationDispense._status",
        "invalid_value",
    ),
    "unpaired surrogate": (
        edited(LONE, lambda d: d["contained"][0]["name"][0].update(family="\ud800")),
        "MedicationDispense.contained[0].name[0].family",
        "invalid_encoding",
    ),
    "duplicate order id": (
        edited(TXN, lambda d: d["entry"][4]["resource"]["identifier"][0].update(value="RX-1001")),
        "Bundle.entry[4].resource.identifier",
        "duplicate_order",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_located(case: str) -> None:
    raw, location, code = CASES[case]
    error = error_for(raw)
    assert (error.location, error.code) == (location, code)


def test_resolver_returning_none_is_unresolved() -> None:
    raw = edited(COLL, lambda d: d["entry"].pop(0))
    with pytest.raises(InputError) as caught:
        map_fhir(raw, connector="c", profile=FhirProfile(), resolve=lambda _ref: None)
    assert caught.value.code == "unresolved_reference"


def test_resolved_resource_is_validated_and_type_checked() -> None:
    raw = edited(COLL, lambda d: d["entry"].pop(0))
    with pytest.raises(InputError) as caught:
        map_fhir(
            raw,
            connector="c",
            profile=FhirProfile(),
            resolve=lambda _ref: {"resourceType": "Patient", "birthDate": "never"},
        )
    assert (caught.value.location, caught.value.code) == (
        "Bundle.entry[0].resource.subject.resolve().birthDate",
        "invalid_date",
    )
    with pytest.raises(InputError) as caught:
        map_fhir(
            raw,
            connector="c",
            profile=FhirProfile(),
            resolve=lambda _ref: {"resourceType": "Organization", "id": "o"},
        )
    assert caught.value.code == "invalid_reference"


def test_profile_rejects_an_unknown_time_zone() -> None:
    with pytest.raises(ValueError, match="unknown time zone"):
        FhirProfile(timezone="Mars/Olympus")
