"""Messages shaped like real PMS traffic: SAD street lines, coding systems of the product, FHIR
addresses with many lines, dispense notes, items without identification, undeliverable addresses.
Synthetic patients only."""

from __future__ import annotations

import json
from typing import Any

import pytest

from finalmile.canonical import DispatchOrder, Item
from finalmile.errors import InputError
from finalmile.mapping.fhir import map_fhir
from finalmile.mapping.fhir_profile import FhirProfile
from finalmile.mapping.hl7v2 import Hl7Profile, decode_and_map
from finalmile.ndc import normalize_ndc

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
NDC = "http://hl7.org/fhir/sid/ndc"
SNOMED = "http://snomed.info/sct"


def hl7(
    address: str = "1000&Hospital Lane^Ste. 123^Ann Arbor ^MI^48109",
    product: str = "00093-3109-01^Amoxicillin 250 mg capsule^NDC",
    segment: str = "RXE",
) -> bytes:
    item = {
        "RXE": f"RXE||{product}||||||||30|CAP",
        "RXO": f"RXO|{product}||||||||||30|CAP",
        "RXD": f"RXD|1|{product}|20261120|30|CAP",
    }[segment]
    kind = {"RXE": "RDE^O11^RDE_O11", "RXO": "OMP^O09^OMP_O09", "RXD": "RDS^O13^RDS_O13"}[segment]
    return "\r".join(
        [
            f"MSH|^~\\&|PMS|SITE|FINALMILE|FM|20261120093000||{kind}|MSG-1|P|2.6",
            f"PID|1||MRN-RM1^^^SITE^MR||Testperson^Rowan||||||{address}",
            "ORC|NW|RX-RM1",
            item,
            "",
        ]
    ).encode()


def hl7_order(raw: bytes) -> DispatchOrder:
    _, intents = decode_and_map(raw, connector="c", profile=Hl7Profile())
    (intent,) = intents
    assert intent.order is not None
    return intent.order


def hl7_error(raw: bytes) -> InputError:
    with pytest.raises(InputError) as caught:
        hl7_order(raw)
    return caught.value


def fhir(
    code: dict[str, Any] | None = None,
    address: dict[str, Any] | None = None,
    **dispense: Any,
) -> bytes:
    medication = code or {
        "coding": [{"system": NDC, "code": "0093-3109-01", "display": "Amoxicillin 250 mg"}],
        "text": "Amoxicillin 250 mg capsule",
    }
    patient = {
        "resourceType": "Patient",
        "id": "p1",
        "identifier": [{"value": "MRN-RM1"}],
        "name": [{"family": "Testperson", "given": ["Rowan"]}],
        "address": [
            address
            or {
                "line": ["1000 Hospital Lane", "Ste. 123"],
                "city": "Ann Arbor",
                "state": "MI",
                "postalCode": "48109",
            }
        ],
    }
    resource = {
        "resourceType": "MedicationDispense",
        "id": "RX-RM1",
        "status": "in-progress",
        "contained": [patient],
        "subject": {"reference": "#p1"},
        "medicationCodeableConcept": medication,
        "quantity": {"value": 30, "unit": "CAP"},
        **dispense,
    }
    return json.dumps(resource).encode()


def fhir_order(raw: bytes, profile: FhirProfile | None = None) -> DispatchOrder:
    mapping = map_fhir(raw, connector="c", profile=profile or FhirProfile())
    (intent,) = mapping.intents
    assert intent.order is not None
    return intent.order


def fhir_error(raw: bytes) -> InputError:
    with pytest.raises(InputError) as caught:
        fhir_order(raw)
    return caught.value


# Finding 2: XAD.1 is an SAD; every value is trimmed.


@pytest.mark.parametrize(
    ("street", "line1"),
    [
        ("1000&Hospital Lane", "1000 Hospital Lane"),
        ("&Hospital Lane&1000", "1000 Hospital Lane"),
        ("1000 Hospital Lane&Hospital Lane&1000", "1000 Hospital Lane"),
        ("1000 Hospital Lane", "1000 Hospital Lane"),
        (" 1000 Hospital Lane &&", "1000 Hospital Lane"),
    ],
)
def test_the_street_line_is_composed_from_the_sad(street: str, line1: str) -> None:
    found = hl7_order(hl7(address=f"{street}^Ste. 123^Ann Arbor ^MI^48109"))
    assert found.ship_to.model_dump(exclude={"name"}) == {
        "line1": line1,
        "line2": "Ste. 123",
        "city": "Ann Arbor",
        "state": "MI",
        "postal_code": "48109",
        "country": "US",
    }


def test_fhir_address_values_are_trimmed() -> None:
    address = {"line": [" 1000 Hospital Lane "], "city": "Ann Arbor ", "state": " MI",
               "postalCode": "48109 "}  # fmt: skip
    found = fhir_order(fhir(address=address)).ship_to
    assert (found.line1, found.city, found.state, found.postal_code) == (
        "1000 Hospital Lane",
        "Ann Arbor",
        "MI",
        "48109",
    )


# Finding 3: ndc only from an NDC coding, normalised; other codes kept apart.


@pytest.mark.parametrize(
    ("value", "ndc"),
    [
        ("0093-3109-01", "00093310901"),  # 4-4-2
        ("00093-109-01", "00093010901"),  # 5-3-2
        ("00093-3109-1", "00093310901"),  # 5-4-1
        ("00093-3109-01", "00093310901"),  # 5-4-2
        ("00093310901", "00093310901"),  # 11 digits
    ],
)
def test_every_ndc_layout_reads_as_eleven_digits(value: str, ndc: str) -> None:
    assert normalize_ndc(value) == ndc


@pytest.mark.parametrize("value", ["0093310901", "308191", "00093-3109", "ABCDE-1234-56"])
def test_what_is_not_an_ndc_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="not an NDC"):
        normalize_ndc(value)


@pytest.mark.parametrize("segment", ["RXE", "RXO", "RXD"])
def test_an_rxnorm_code_never_lands_in_ndc(segment: str) -> None:
    product = "308191^amoxicillin 250 MG Oral Capsule^RXNORM"
    (item,) = hl7_order(hl7(product=product, segment=segment)).items
    assert (item.ndc, item.code, item.system, item.description) == (
        None,
        "308191",
        RXNORM,
        "amoxicillin 250 MG Oral Capsule",
    )


@pytest.mark.parametrize("system", ["NDC", "N4"])
def test_the_ndc_comes_from_the_primary_or_the_alternate_triplet(system: str) -> None:
    primary = hl7_order(hl7(product=f"0093-3109-01^Amoxicillin^{system}")).items[0]
    alternate = hl7_order(
        hl7(product=f"308191^amoxicillin 250 MG^RXNORM^0093-3109-01^Amoxicillin^{system}")
    ).items[0]
    assert (primary.ndc, primary.code) == ("00093310901", None)
    assert (alternate.ndc, alternate.code, alternate.system) == ("00093310901", "308191", RXNORM)
    assert alternate.description == "amoxicillin 250 MG"


def test_an_ndc_coding_that_is_not_an_ndc_is_rejected_at_its_field() -> None:
    caught = hl7_error(hl7(product="0093310901^Amoxicillin^NDC"))
    assert (caught.location, caught.code) == ("RXE-2", "invalid_ndc")
    caught = fhir_error(fhir(code={"coding": [{"system": NDC, "code": "0093310901"}]}))
    assert caught.code == "invalid_ndc"


def _item(found: DispatchOrder) -> dict[str, Any]:
    (item,) = found.items
    return item.model_dump(exclude={"storage"})


def test_hl7_and_fhir_give_the_same_item() -> None:
    raw = hl7(product="308191^amoxicillin 250 MG Oral Capsule^RXNORM^0093-3109-01^^NDC")
    code = {
        "coding": [
            {"system": RXNORM, "code": "308191", "display": "amoxicillin 250 MG Oral Capsule"},
            {"system": NDC, "code": "0093-3109-01"},
        ],
        "text": "amoxicillin 250 MG Oral Capsule",
    }
    from_hl7, from_fhir = _item(hl7_order(raw)), _item(fhir_order(fhir(code=code)))
    assert from_hl7 == from_fhir
    assert from_hl7["ndc"] == "00093310901" and from_hl7["code"] == "308191"
    assert Item.model_validate(from_hl7).system == RXNORM


# Finding 4: FHIR lines 3.. are folded into line2.


def test_fhir_lines_after_the_second_are_folded_into_line2() -> None:
    address = {"line": ["1000 Hospital Lane", "Building B", "Ste. 123"], "city": "Ann Arbor",
               "state": "MI", "postalCode": "48109"}  # fmt: skip
    found = fhir_order(fhir(address=address)).ship_to
    assert (found.line1, found.line2) == ("1000 Hospital Lane", "Building B, Ste. 123")


# Finding 5: a dispense's note is clinical; instructions only from what the profile names.


def test_a_dispense_note_never_becomes_courier_instructions() -> None:
    raw = fhir(note=[{"text": "After Food"}])
    assert fhir_order(raw).instructions is None
    extension = "https://pharmacy.example/fhir/delivery-instructions"
    named = fhir(
        note=[{"text": "After Food"}],
        extension=[{"url": extension, "valueString": "Leave with the concierge"}],
    )
    profile = FhirProfile(
        fields={"instructions": f"MedicationDispense.extension('{extension}').valueString"}
    )
    assert fhir_order(named, profile).instructions == "Leave with the concierge"


# Finding 6: a coding's display stands in for a missing text; no identification is an error.


def test_a_coding_display_is_the_description_when_there_is_no_text() -> None:
    code = {
        "coding": [
            {"system": RXNORM, "code": "1234567", "display": "etanercept 50 MG/ML"},
            {"system": SNOMED, "code": "7654321", "display": "Etanercept product"},
        ]
    }
    (item,) = fhir_order(fhir(code=code)).items
    assert (item.ndc, item.code, item.system, item.description) == (
        None,
        "1234567",
        RXNORM,
        "etanercept 50 MG/ML",
    )


def test_an_item_without_code_or_text_is_rejected() -> None:
    caught = hl7_error(hl7(product="^^^^^"))
    assert (caught.location, caught.code) == ("RXE-2", "required")
    caught = fhir_error(fhir(code={"coding": [{"system": RXNORM}]}))
    where = "MedicationDispense.medicationCodeableConcept"
    assert (caught.location, caught.code) == (where, "required")


# Deliverable addresses at intake.


@pytest.mark.parametrize(
    ("address", "location", "code"),
    [
        ("1 Test Way^^Ann Arbor^^48109", "PID-11.4", "required"),
        ("1 Test Way^^Ann Arbor^MI^", "PID-11.5", "required"),
        ("1 Test Way^^Ann Arbor^MI^02139", "PID-11.5", "undeliverable_address"),
        ("1 Test Way^^Ann Arbor^MI^4810", "PID-11.5", "undeliverable_address"),
        ("1 Test Way^^Ann Arbor^MI^00000", "PID-11.5", "undeliverable_address"),
        ("^^Ann Arbor^MI^48109", "PID-11.1", "required"),
    ],
)
def test_an_undeliverable_hl7_address_is_rejected_naming_the_field(
    address: str, location: str, code: str
) -> None:
    caught = hl7_error(hl7(address=address))
    assert (caught.location, caught.code) == (location, code)
    assert "Ann Arbor" not in caught.message and "Test Way" not in caught.message


def test_zip_plus_4_and_lower_case_states_are_deliverable() -> None:
    found = hl7_order(hl7(address="1 Test Way^^Ann Arbor^mi^48109-1234"))
    assert found.ship_to.postal_code == "48109-1234"


def test_an_undeliverable_fhir_address_is_rejected_naming_the_element() -> None:
    address = {"line": ["1 Test Way"], "city": "Ann Arbor", "state": "MA", "postalCode": "48109"}
    caught = fhir_error(fhir(address=address))
    assert caught.code == "undeliverable_address"
    assert caught.location.endswith(".address[0].postalCode")
    caught = fhir_error(fhir(address={"line": ["1 Test Way"], "city": "Ann Arbor"}))
    assert (caught.code, caught.location.rsplit(".", 1)[1]) == ("required", "state")
