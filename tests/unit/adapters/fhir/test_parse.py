"""FHIR R4 payloads parse to R4B models; failures carry FHIR paths and stable codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.medicationdispense import MedicationDispense

from finalmile.adapters.fhir.parse import fhir_path, parse
from finalmile.errors import InputError

FIXTURES = Path(__file__).parents[3] / "fixtures" / "fhir"


@pytest.mark.parametrize("kind", ["transaction", "batch", "collection"])
def test_accepted_bundle_types(kind: str) -> None:
    raw = b'{"resourceType": "Bundle", "type": "%s"}' % kind.encode()
    bundle = parse(raw)
    assert isinstance(bundle, Bundle)
    assert bundle.type == kind


def test_fixtures_parse_to_their_resource_types() -> None:
    assert isinstance(parse((FIXTURES / "transaction_urn_uuid.json").read_bytes()), Bundle)
    lone = parse((FIXTURES / "lone_contained_patient.json").read_bytes())
    assert isinstance(lone, MedicationDispense)


def test_a_utf8_byte_order_mark_is_accepted() -> None:
    assert isinstance(parse(b'\xef\xbb\xbf{"resourceType": "Bundle", "type": "batch"}'), Bundle)


@pytest.mark.parametrize(
    ("raw", "location", "code"),
    [
        (b"", None, "invalid_json"),
        (b'"Bundle"', "resourceType", "unsupported_resource"),
        (b'{"resourceType": "Patient"}', "resourceType", "unsupported_resource"),
        (b'{"resourceType": "Bundle"}', "Bundle.type", "unsupported_bundle_type"),
        (
            b'{"resourceType": "Bundle", "type": "searchset"}',
            "Bundle.type",
            "unsupported_bundle_type",
        ),
        (
            b'{"resourceType": "Bundle", "type": "batch", "entry": [{}, {}, '
            b'{"resource": {"resourceType": "MedicationDispense", "status": "completed", '
            b'"medicationCodeableConcept": {"text": "x"}, "subject": "Patient/1"}}]}',
            "Bundle.entry[2].resource.subject",
            "invalid_value",
        ),
    ],
)
def test_rejections(raw: bytes, location: str | None, code: str) -> None:
    with pytest.raises(InputError) as caught:
        parse(raw)
    assert (caught.value.location, caught.value.code) == (location, code)


def test_fhir_path() -> None:
    assert fhir_path("Bundle", ("entry", 2, "resource", "subject")) == (
        "Bundle.entry[2].resource.subject"
    )
