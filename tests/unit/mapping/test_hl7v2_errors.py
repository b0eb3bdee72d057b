"""Every kind of bad input gives an InputError with an exact HL7 location and code, and no PHI."""

from __future__ import annotations

from pathlib import Path

import pytest

from finalmile.errors import InputError
from finalmile.mapping.hl7v2 import Hl7Profile, decode_and_map

FIXTURES = Path(__file__).parents[2] / "fixtures" / "hl7"
BASIC = (FIXTURES / "rde_o11_v251_basic.hl7").read_bytes().decode()
RDS = (FIXTURES / "rds_o13_v26_rxd13.hl7").read_bytes().decode()
ORM = (FIXTURES / "orm_o01_v24_crlf.hl7").read_bytes().decode()
PHI = (
    "Testpatient",
    "Jane",
    "19610402",
    "Elm St",
    "Cambridge",
    "5550100",
    "example.test",
    "MRN1001",
)


def error_for(raw: bytes, profile: Hl7Profile | None = None) -> InputError:
    with pytest.raises(InputError) as caught:
        decode_and_map(raw, connector="default", profile=profile or Hl7Profile())
    error = caught.value
    for value in PHI:
        assert value not in str(error), f"{value!r} leaked into the error"
    return error


def swap(text: str, old: str, new: str) -> bytes:
    assert old in text, old
    return text.replace(old, new, 1).encode()


def drop_segment(text: str, name: str) -> bytes:
    return "".join(s + "\r" for s in text.split("\r") if s and not s.startswith(name)).encode()


CASES = {
    "missing MSH": (BASIC.split("\r", 1)[1].encode(), "MSH", "missing_msh"),
    "bad MSH-2": (swap(BASIC, "MSH|^~\\&|", "MSH|^~\\|"), "MSH-2", "invalid_encoding_characters"),
    "bad segment id": (swap(BASIC, "\rORC|", "\rorc|"), "segment 3", "invalid_segment_id"),
    "unsupported type": (
        swap(BASIC, "RDE^O11^RDE_O11", "ADT^A01^ADT_A01"),
        "MSH-9",
        "unsupported_message_type",
    ),
    "unsupported event": (swap(BASIC, "RDE^O11^RDE_O11", "RDE^O25"), "MSH-9", "unsupported_event"),
    "RDS with ORM event": (swap(RDS, "RDS^O13^RDS_O13", "RDS^O09"), "MSH-9", "unsupported_event"),
    "version 2.2": (swap(BASIC, "|2.5.1", "|2.2"), "MSH-12", "unsupported_version"),
    "version 2.9": (swap(BASIC, "|2.5.1", "|2.9"), "MSH-12", "unsupported_version"),
    "missing MSH-10": (swap(BASIC, "|MSG00001|", "||"), "MSH-10", "required"),
    "unknown charset": (
        swap(BASIC, "|2.5.1\r", "|2.5.1||||||KLINGON\r"),
        "MSH-18",
        "unsupported_charset",
    ),
    "undecodable": (
        BASIC.replace("|2.5.1\r", "|2.5.1||||||UNICODE UTF-8\r")
        .replace("Jane", "Jané")
        .encode("latin-1"),
        "MSH-18",
        "undecodable",
    ),
    "no ORC": (drop_segment(BASIC, "ORC"), "ORC", "required"),
    "no PID": (drop_segment(BASIC, "PID"), "PID", "required"),
    "missing PID-3": (
        swap(BASIC, "88001^^^SPECRX^PI~MRN1001^^^SPECRX^MR", ""),
        "PID-3",
        "required",
    ),
    "empty MRN in the MR repetition": (
        swap(BASIC, "MRN1001^^^SPECRX^MR", "^^^SPECRX^MR"),
        "PID-3",
        "required",
    ),
    "bad PID-7 month": (swap(BASIC, "|19610402|", "|19611302|"), "PID-7", "invalid_date"),
    "bad PID-7 format": (swap(BASIC, "|19610402|", "|1961-04-02|"), "PID-7", "invalid_date"),
    "no address at all": (
        swap(
            BASIC, "1 Home Way^^Boston^MA^02101^USA^H~12 Elm St^Apt 2^Cambridge^MA^02139^USA^SH", ""
        ),
        "PID-11",
        "required",
    ),
    "PID-11 without street": (swap(BASIC, "12 Elm St^Apt 2^", "^Apt 2^"), "PID-11.1", "required"),
    "PID-11 without city": (swap(BASIC, "^Cambridge^", "^^"), "PID-11.3", "required"),
    "RXE-43 without city": (
        swap(BASIC, "|RXN-1001", "|RXN-1001" + "|" * 28 + "9 Ship St^^^MA^02139"),
        "RXE-43.3",
        "required",
    ),
    "RXE-8 LA1 without city": (
        swap(BASIC, "|mL|||||2|", "|mL|||^^^^^^^^9 Work St&&&MA||2|"),
        "RXE-8.9.3",
        "required",
    ),
    "RXD-13 without street": (
        swap(RDS, "^77 Clinic Dr^Suite 400", "^^Suite 400"),
        "RXD-13.9",
        "required",
    ),
    "RXO-8 LA1 without street": (
        swap(ORM, "200 Work Plaza&Floor 3", "&Floor 3"),
        "RXO-8.9.1",
        "required",
    ),
    "quantity zero": (
        swap(BASIC, "|2|mL^milliliter", "|0|mL^milliliter"),
        "RXE-10",
        "invalid_quantity",
    ),
    "quantity negative": (
        swap(BASIC, "|2|mL^milliliter", "|-1|mL^milliliter"),
        "RXE-10",
        "invalid_quantity",
    ),
    "quantity text": (
        swap(BASIC, "|2|mL^milliliter", "|two|mL^milliliter"),
        "RXE-10",
        "invalid_quantity",
    ),
    "quantity NaN": (
        swap(BASIC, "|2|mL^milliliter", "|NaN|mL^milliliter"),
        "RXE-10",
        "invalid_quantity",
    ),
    "quantity missing": (swap(BASIC, "|2|mL^milliliter", "||mL^milliliter"), "RXE-10", "required"),
    "RXD quantity": (swap(RDS, "|1.5|EA", "|0.0|EA"), "RXD-4", "invalid_quantity"),
    "RXO quantity": (swap(ORM, "|60|TAB", "|x|TAB"), "RXO-11", "invalid_quantity"),
    "no RXE": (drop_segment(BASIC, "RXE"), "RXE", "required"),
    "no RXD in RDS": (drop_segment(RDS, "RXD"), "RXD", "required"),
    "no RXO in ORM": (
        "".join(s + "\r\n" for s in ORM.split("\r\n") if s and not s.startswith("RXO")).encode(),
        "RXO",
        "required",
    ),
    "unknown ZDL-2": (swap(BASIC, "|R|Y|", "|X|Y|"), "ZDL-2", "unknown_code"),
    "bad ZDL-3": (swap(BASIC, "|R|Y|", "|R|Maybe|"), "ZDL-3", "invalid"),
    "bad ZDL-1 format": (
        swap(BASIC, "ZDL|20261124170000-0500", "ZDL|2026-11-24"),
        "ZDL-1",
        "invalid_date",
    ),
    "ZDL-1 month only": (
        swap(BASIC, "ZDL|20261124170000-0500", "ZDL|202611"),
        "ZDL-1",
        "invalid_date",
    ),
    "ZDL-1 impossible": (
        swap(BASIC, "ZDL|20261124170000-0500", "ZDL|20260231"),
        "ZDL-1",
        "invalid_date",
    ),
    "ZDL-1 bad offset": (
        swap(BASIC, "ZDL|20261124170000-0500", "ZDL|20261124170000+2500"),
        "ZDL-1",
        "invalid_date",
    ),
    "no order number": (
        swap(BASIC, "ORC|NW|RX-1001|F-1001|", "ORC|NW|||").replace(b"|RXN-1001", b"|"),
        "ORC-2",
        "required",
    ),
    "unsupported ORC-1": (swap(BASIC, "ORC|NW|", "ORC|HD|"), "ORC-1", "unsupported_order_control"),
    "cancel and create the same order": (
        swap(BASIC, "\rZDL|", "\rORC|CA|RX-1001\rZDL|"),
        "ORC-1",
        "conflicting_order_control",
    ),
}


@pytest.mark.parametrize(("raw", "location", "code"), CASES.values(), ids=CASES.keys())
def test_bad_input(raw: bytes, location: str, code: str) -> None:
    error = error_for(raw)
    assert (error.location, error.code) == (location, code)
    assert error.message


def test_unknown_storage_code_lists_the_allowed_codes() -> None:
    error = error_for(swap(BASIC, "|R|Y|", "|X|Y|"))
    assert "A, C, F, R" in error.message


def test_errors_name_the_order_group() -> None:
    second = "\rORC|NW|RX-2\rRXE||00002^Insulin||||||||x|mL\r"
    error = error_for((BASIC + second.lstrip("\r")).encode())
    assert (error.location, error.code) == ("RXE-10", "invalid_quantity")
    assert "order group 2" in error.message


def test_rejected_unsupported_type_may_quote_the_type() -> None:
    error = error_for(swap(BASIC, "RDE^O11^RDE_O11", "ADT^A01^ADT_A01"))
    assert "'ADT'" in error.message
