"""Address verification rules and normalisation, without HTTP."""

from __future__ import annotations

import datetime as dt

import pytest

from finalmile_sandbox.records import AddressRecord, Api
from finalmile_sandbox.verify import check_address, verified


def _codes(**fields: str | None) -> list[str]:
    base = {"street1": "12 Elm St", "state": "MA", "zip_code": "02139", "country": "US"}
    return [p.code for p in check_address(**{**base, **fields}).problems]


@pytest.mark.parametrize(
    ("fields", "codes"),
    [
        ({}, []),
        ({"zip_code": "02139-4307"}, []),
        ({"street1": "Elm St"}, ["E.HOUSE_NUMBER.MISSING"]),
        ({"street1": None}, ["E.STREET.MISSING"]),
        ({"zip_code": "00001"}, ["E.ZIP.NOT_FOUND", "E.ADDRESS.NOT_FOUND"]),
        ({"zip_code": "2139"}, ["E.ZIP.INVALID", "E.ADDRESS.NOT_FOUND"]),
        ({"state": "NY"}, ["E.ADDRESS.NOT_FOUND"]),
        ({"country": "CA"}, ["E.ADDRESS.NOT_FOUND"]),
    ],
)
def test_problems(fields: dict[str, str | None], codes: list[str]) -> None:
    assert _codes(**fields) == codes


def test_zip4_is_stable_per_street() -> None:
    first = check_address(street1="12 Elm St", state="MA", zip_code="02139", country="US")
    again = check_address(street1="12 elm st", state=None, zip_code="02139", country=None)
    other = check_address(street1="14 Elm St", state="MA", zip_code="02139", country="US")

    assert first.zip_plus4 == again.zip_plus4 != other.zip_plus4


def test_verified_address_is_normalised_and_a_bad_one_kept() -> None:
    address = AddressRecord(
        id="adr_1",
        api=Api.EASYPOST,
        created_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
        name="Synthetic Patient",
        street1="12 Elm St",
        street2="Apt 3",
        city="cambridge",
        state="MA",
        zip="02139",
    )

    good = verified(address)
    bad = verified(address.model_copy(update={"zip": "00001"}))

    assert (good.name, good.street1, good.street2, good.city) == (
        "SYNTHETIC PATIENT",
        "12 ELM ST APT 3",
        "",
        "CAMBRIDGE",
    )
    assert good.residential is True and good.check is not None and good.check.ok
    assert (bad.street1, bad.zip) == ("12 Elm St", "00001")
    assert bad.check is not None and not bad.check.ok
