"""Connector profiles re-point canonical fields to other HL7 v2 paths (``fields:``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from finalmile.canonical import ControlledSchedule, DispatchOrder, StorageClass
from finalmile.errors import InputError
from finalmile.mapping.fields import CANONICAL_FIELDS
from finalmile.mapping.hl7v2 import Hl7Profile, decode_and_map

MSH = "MSH|^~\\&|PMS|SITE|FINALMILE|FM|20261120093000||{type}|MSG-F1|P|2.5.1"

# A PMS that keeps nothing where the default profile looks: no PID-3, no address, no ZDL. Its
# order number, delivery details, patient and address live in its own Z-segments.
RELOCATED = "\r".join(
    [
        MSH.format(type="RDE^O11^RDE_O11"),
        "PID|1|SYN-MRN-1",
        "ZPT|Testperson^Alma|19750316|(617) 555-0133|alma@example.test",
        "ORC|NW|PLACER-IGNORED",
        "ZOR|ORD-77|202612011200|Y|Back door please",
        "ZSH|A. Testperson|5 Sample Rd|Unit 3|Springfield|IL|62701|CAN",
        "RXE||00002-8215-01^Insulin lispro^N4||||||||2|mL",
        "",
    ]
)
ORDER_FIELDS = {
    "order_id": "ZOR-1",
    "patient.mrn": "PID-2.1",
    "patient.family": "ZPT-1.1",
    "patient.given": "ZPT-1.2",
    "patient.birth_date": "ZPT-2",
    "patient.phone": "ZPT-3",
    "patient.email": "ZPT-4",
    "ship_to.name": "ZSH-1",
    "ship_to.line1": "ZSH-2",
    "ship_to.line2": "ZSH-3",
    "ship_to.city": "ZSH-4",
    "ship_to.state": "ZSH-5",
    "ship_to.postal_code": "ZSH-6",
    "ship_to.country": "ZSH-7",
    "needed_by": "ZOR-2",
    "requires_signature": "ZOR-3",
    "instructions": "ZOR-4",
}

# Two items in one order group: the PMS writes code and name in CWE.4/.5 of RXE-2, the amount in
# RXE-3 and the unit in RXE-5 (read per RXE), and one storage code for the group in ZIT-1.
ITEMS = "\r".join(
    [
        MSH.format(type="RDE^O11^RDE_O11"),
        "PID|1||MRN5^^^SITE^MR||Testperson^Alma||||||1 Home Way^^Boston^MA^02101",
        "ORC|NW|RX-9",
        "RXE||^^^11111-2222-33^Drug A 5 mg|4||TAB",
        "RXE||^^^44444-5555-66^Drug B 1 g|1.5||VIAL",
        "ZIT|COLD|C-II",
        "",
    ]
)
ITEM_FIELDS = {
    "item.ndc": "RXE-2.4",
    "item.description": "RXE-2.5",
    "item.quantity": "RXE-3",
    "item.unit": "RXE-5",
    "item.storage": "ZIT-1",
    "item.controlled_schedule": "ZIT-2",
}


def order(text: str, **settings: Any) -> DispatchOrder:
    profile = Hl7Profile.model_validate({"timezone": "America/Chicago", **settings})
    _, intents = decode_and_map(text.encode(), connector="c", profile=profile)
    assert len(intents) == 1 and intents[0].order is not None
    return intents[0].order


def error(text: str, **settings: Any) -> InputError:
    with pytest.raises(InputError) as caught:
        order(text, **settings)
    return caught.value


def test_every_order_and_patient_field_can_be_re_pointed() -> None:
    found = order(RELOCATED, fields=ORDER_FIELDS).to_contract()
    assert found["order_id"] == "ORD-77"
    assert found["patient"] == {
        "mrn": "SYN-MRN-1",
        "family": "Testperson",
        "given": "Alma",
        "birth_date": "1975-03-16",
        "phone": "+16175550133",
        "email": "alma@example.test",
    }
    assert found["ship_to"] == {
        "name": "A. Testperson",
        "line1": "5 Sample Rd",
        "line2": "Unit 3",
        "city": "Springfield",
        "state": "IL",
        "postal_code": "62701",
        "country": "CA",  # alpha-3 CAN read as alpha-2
    }
    assert found["needed_by"] == "2026-12-01T12:00:00-06:00"  # local to the profile's zone
    assert (found["requires_signature"], found["instructions"]) == (True, "Back door please")


def test_item_fields_are_read_per_item_segment_or_once_per_group() -> None:
    found = order(ITEMS, fields=ITEM_FIELDS, storage_codes={"COLD": "refrigerated"})
    assert [(i.ndc, i.description, i.quantity, i.unit, i.storage) for i in found.items] == [
        ("11111222233", "Drug A 5 mg", Decimal(4), "TAB", StorageClass.REFRIGERATED),
        ("44444555566", "Drug B 1 g", Decimal("1.5"), "VIAL", StorageClass.REFRIGERATED),
    ]
    assert [i.controlled_schedule for i in found.items] == [ControlledSchedule.II] * 2


def test_every_canonical_field_is_covered_by_these_tests() -> None:
    assert set(ORDER_FIELDS) | set(ITEM_FIELDS) == set(CANONICAL_FIELDS)


def test_re_pointed_fields_leave_the_others_on_the_default_profile() -> None:
    basic = RELOCATED.replace("PID|1|SYN-MRN-1", "PID|1||MRN7^^^SITE^MR||Testperson^Alma|||||||")
    basic = basic.replace("ZSH|", "ZXX|") + "ZDL|20261124|R|N|Default instructions\r"
    found = order(
        basic,
        fields={
            "ship_to.line1": "ZOR-4",
            "ship_to.city": "ZOR-1",
            "ship_to.state": "ZXX-5",
            "ship_to.postal_code": "ZXX-6",
            "instructions": "NTE-3",
        },
    )
    assert (found.order_id, found.patient.mrn) == ("PLACER-IGNORED", "MRN7")
    assert (found.ship_to.line1, found.ship_to.city, found.ship_to.country) == (
        "Back door please",
        "ORD-77",
        "US",
    )
    assert found.items[0].storage is StorageClass.REFRIGERATED  # ZDL-2 still
    assert found.instructions is None  # re-pointed to an NTE the message does not have


def test_a_group_segment_wins_over_the_message_one() -> None:
    text = RELOCATED.replace("ORC|NW|PLACER-IGNORED", "ZOR|MSG-LEVEL\rORC|NW|PLACER-IGNORED")
    assert order(text, fields=ORDER_FIELDS).order_id == "ORD-77"


def test_fields_and_the_delivery_keys_are_the_same_setting() -> None:
    text = RELOCATED.replace("ZOR|ORD-77", "ZDL|20261130|F|N|Use side door\rZOR|ORD-77")
    legacy = order(text, fields=ORDER_FIELDS | {"instructions": "ZDL-4"})
    assert legacy.instructions == "Use side door"
    renamed = {k: v for k, v in ORDER_FIELDS.items() if k not in ("needed_by", "instructions")}
    via_keys = order(text, fields=renamed, needed_by="ZOR-2", instructions="ZOR-4")
    assert via_keys.instructions == "Back door please"
    assert via_keys.needed_by == dt.datetime(2026, 12, 1, 12, tzinfo=via_keys.needed_by.tzinfo)
    assert via_keys.items[0].storage is StorageClass.FROZEN  # storage still ZDL-2


@pytest.mark.parametrize(
    ("old", "new", "location", "code"),
    [
        ("ZOR|ORD-77", "ZOR|", "ZOR-1", "required"),
        ("PID|1|SYN-MRN-1", "PID|1|", "PID-2.1", "required"),
        ("|19750316|", "|1975-03-16|", "ZPT-2", "invalid_date"),
        ("|202612011200|", "|2026-12-01|", "ZOR-2", "invalid_date"),
        ("|202612011200|Y|", "|202612011200|maybe|", "ZOR-3", "invalid"),
        ("|5 Sample Rd|", "||", "ZSH-2", "required"),
        ("|Springfield|", "||", "ZSH-4", "required"),
    ],
)
def test_conversion_errors_name_the_re_pointed_path_not_the_value(
    old: str, new: str, location: str, code: str
) -> None:
    assert old in RELOCATED
    caught = error(RELOCATED.replace(old, new), fields=ORDER_FIELDS)
    assert (caught.location, caught.code) == (location, code)
    if code != "required":
        bad = next(part for part in new.split("|") if part and part not in old.split("|"))
        assert bad not in str(caught)


@pytest.mark.parametrize(
    ("old", "new", "location", "code"),
    [
        ("|1.5||VIAL", "|lots||VIAL", "RXE-3", "invalid_quantity"),
        ("ZIT|COLD", "ZIT|WARM", "ZIT-1", "unknown_code"),
    ],
)
def test_item_errors_name_the_re_pointed_path(old: str, new: str, location: str, code: str) -> None:
    caught = error(ITEMS.replace(old, new), fields=ITEM_FIELDS, storage_codes={"COLD": "frozen"})
    assert (caught.location, caught.code) == (location, code)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"fields": {"patient.ssn": "PID-19"}}, "unknown canonical field 'patient.ssn'; expected"),
        ({"fields": {"patient.mrn": "PID2"}}, "'PID2' is not an HL7 path"),
        ({"fields": {"needed_by": "ORC-15"}, "needed_by": "ZDL-1"}, "needed_by or fields.needed"),
        ({"fields": {"item.storage": "ZRX-4.2"}, "storage": "ZRX-4"}, "storage or fields.item."),
    ],
)
def test_profile_refuses_bad_fields(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Hl7Profile.model_validate(settings)
