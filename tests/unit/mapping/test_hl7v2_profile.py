"""Profile knobs, order control (Table 0119), and the decisions the default profile documents."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydantic import ValidationError

from finalmile.canonical import StorageClass
from finalmile.errors import InputError
from finalmile.mapping.hl7v2 import Hl7Profile, decode_and_map
from finalmile.mapping.intent import OrderAction

FIXTURES = Path(__file__).parents[2] / "fixtures" / "hl7"
BASIC = (FIXTURES / "rde_o11_v251_basic.hl7").read_bytes().decode()


def intents(text: str, profile: Hl7Profile | None = None) -> list[tuple[OrderAction, str]]:
    _, found = decode_and_map(text.encode(), connector="c", profile=profile or Hl7Profile())
    return [(i.action, i.order_id) for i in found]


@pytest.mark.parametrize("control", ["CA", "DC", "OC", "OD", "CR", "DR", "ca"])
def test_cancel_codes(control: str) -> None:
    assert intents(BASIC.replace("ORC|NW|", f"ORC|{control}|")) == [(OrderAction.CANCEL, "RX-1001")]


@pytest.mark.parametrize("control", ["NW", "XO", "XX", "RP", "RO", "RE", "SC", "OK", ""])
def test_upsert_codes(control: str) -> None:
    assert intents(BASIC.replace("ORC|NW|", f"ORC|{control}|")) == [(OrderAction.UPSERT, "RX-1001")]


@pytest.mark.parametrize("control", ["HD", "UA", "SN", "NA", "DE", "ZZ"])
def test_other_order_control_codes_are_rejected(control: str) -> None:
    with pytest.raises(InputError) as caught:
        intents(BASIC.replace("ORC|NW|", f"ORC|{control}|"))
    assert (caught.value.location, caught.value.code) == ("ORC-1", "unsupported_order_control")


def test_cancel_needs_no_patient_address_or_items() -> None:
    text = "\r".join(
        [BASIC.split("\r")[0], "PID|1||MRN1^^^H^MR", "ORC|CA|RX-9", "ORC|DC||F-10", ""]
    )
    assert intents(text) == [(OrderAction.CANCEL, "RX-9"), (OrderAction.CANCEL, "F-10")]


@pytest.mark.parametrize(
    ("orc", "rxe_15", "expected"),
    [
        ("ORC|NW|RX-1|F-1", "RXN-1", "RX-1"),
        ("ORC|NW||F-1", "RXN-1", "F-1"),
        ("ORC|NW||", "RXN-1", "RXN-1"),
        ("ORC|NW|^PLACER|F-1^FILLER", "", "F-1"),
    ],
)
def test_order_id_precedence(orc: str, rxe_15: str, expected: str) -> None:
    assert "ORC|NW|RX-1001|F-1001|" in BASIC
    text = BASIC.replace("ORC|NW|RX-1001|F-1001", orc).replace("RXN-1001", rxe_15)
    assert intents(text) == [(OrderAction.UPSERT, expected)]


def test_profile_re_points_delivery_fields() -> None:
    text = BASIC.replace("ZDL|20261124170000-0500|R|Y|Leave with concierge", "ZDL|ignored") + (
        "NTE|1||Use side door\rZDS|20261130120000|COLD|N\r"
    )
    profile = Hl7Profile(
        timezone="America/Chicago",
        needed_by="ZDS-1",
        storage="ZDS-2",
        signature="ZDS-3",
        instructions="NTE-3",
        storage_codes={"COLD": StorageClass.REFRIGERATED},
    )
    _, found = decode_and_map(text.encode(), connector="c", profile=profile)
    order = found[0].order
    assert order is not None
    assert order.needed_by == dt.datetime(
        2026, 11, 30, 12, tzinfo=dt.timezone(dt.timedelta(hours=-6))
    )
    assert order.items[0].storage is StorageClass.REFRIGERATED
    assert order.requires_signature is False
    assert order.instructions == "Use side door"


def test_storage_code_is_case_insensitive() -> None:
    _, found = decode_and_map(
        BASIC.replace("|R|Y|", "|f|Y|").encode(), connector="c", profile=Hl7Profile()
    )
    assert found[0].order is not None
    assert found[0].order.storage is StorageClass.FROZEN


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("needed_by", "ZDL"),
        ("storage", "zdl-2"),
        ("instructions", "ZDL-0"),
        ("timezone", "Mars/Olympus"),
        ("fallback_charset", "KLINGON"),
    ],
)
def test_profile_rejects_bad_settings(field: str, value: str) -> None:
    with pytest.raises(ValidationError):
        Hl7Profile.model_validate({field: value})


def test_profile_is_frozen_and_accepts_table_0211_fallback() -> None:
    profile = Hl7Profile(fallback_charset="8859/1")
    with pytest.raises(ValidationError):
        profile.timezone = "UTC"  # type: ignore[misc]
    text = BASIC.replace("Jane", "Renée")
    _, found = decode_and_map(text.encode("latin-1"), connector="c", profile=profile)
    assert found[0].order is not None
    assert found[0].order.patient.given == "Renée"
