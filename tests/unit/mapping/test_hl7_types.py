"""DTM/TS, XTN and address readers, and E.164 normalization."""

from __future__ import annotations

import datetime as dt

import pytest

from finalmile.adapters.hl7v2.parse import parse
from finalmile.errors import InputError
from finalmile.mapping.hl7_types import birth_date, deadline, phone_and_email, read_address, xad
from finalmile.mapping.phone import to_e164

EST = dt.timezone(dt.timedelta(hours=-5))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("20261124170000-0500", dt.datetime(2026, 11, 24, 17, tzinfo=EST)),
        (
            "20261124170000+0130",
            dt.datetime(2026, 11, 24, 17, tzinfo=dt.timezone(dt.timedelta(minutes=90))),
        ),
        ("20261124170000", dt.datetime(2026, 11, 24, 17, tzinfo=EST)),
        ("202607041200", dt.datetime(2026, 7, 4, 12, tzinfo=dt.timezone(dt.timedelta(hours=-4)))),
        ("2026112417", dt.datetime(2026, 11, 24, 17, tzinfo=EST)),
        ("20261124", dt.datetime(2026, 11, 24, 23, 59, 59, tzinfo=EST)),
        ("20261124170005.25", dt.datetime(2026, 11, 24, 17, 0, 5, 250000, tzinfo=EST)),
    ],
)
def test_deadline(value: str, expected: dt.datetime) -> None:
    got = deadline(value, "ZDL-1", "America/New_York")
    assert got == expected
    assert got.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize(
    "value", ["2026", "202611", "2026-11-24", "20261324", "20261124250000", "2026112417+9900", "x"]
)
def test_deadline_rejects(value: str) -> None:
    with pytest.raises(InputError) as caught:
        deadline(value, "ZDL-1", "America/New_York")
    assert (caught.value.location, caught.value.code) == ("ZDL-1", "invalid_date")
    assert value not in caught.value.message or value == "x"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("19610402", dt.date(1961, 4, 2)),
        ("196104021230", dt.date(1961, 4, 2)),
        ("19610402-0500", dt.date(1961, 4, 2)),
        ("1961", None),
        ("196104", None),
    ],
)
def test_birth_date(value: str, expected: dt.date | None) -> None:
    assert birth_date(value, "PID-7") == expected


@pytest.mark.parametrize("value", ["19610230", "1961-04-02", "April 2"])
def test_birth_date_rejects(value: str) -> None:
    with pytest.raises(InputError) as caught:
        birth_date(value, "PID-7")
    assert (caught.value.location, caught.value.code) == ("PID-7", "invalid_date")
    assert value not in caught.value.message


@pytest.mark.parametrize(
    ("text", "country", "expected"),
    [
        ("(617)555-0100", "", "+16175550100"),
        ("617.555.0100", "", "+16175550100"),
        ("1-617-555-0100", "", "+16175550100"),
        ("+1 617 555 0100", "", "+16175550100"),
        ("(617)555-0100X123", "", "+16175550100"),
        ("6175550100", "1", "+16175550100"),
        ("2079460000", "44", "+442079460000"),
        ("+44 20 7946 0000", "", "+442079460000"),
        ("555-0100", "", "555-0100"),
        ("0175550100", "", "0175550100"),
        ("+12", "", "+12"),
        (" call desk ", "", "call desk"),
    ],
)
def test_to_e164(text: str, country: str, expected: str) -> None:
    assert to_e164(text, country_code=country) == expected


def pid(field_13: str, field_11: str = "") -> str:
    return f"MSH|^~\\&|A|B|C|D|1||RDE^O11|1|P|2.5.1\rPID|1||M^^^H^MR||||||||{field_11}||{field_13}"


@pytest.mark.parametrize(
    ("xtn", "phone", "email"),
    [
        ("^WPN^PH^^1^617^5550199~^PRN^PH^^1^617^5550100", "+16175550100", None),
        ("^WPN^PH^^^617^5550199~^ORN^CP^^^617^5550177", "+16175550177", None),
        ("(617)555-0100^WPN^FX~(617)555-0111", "+16175550111", None),
        ("^NET^Internet^a@example.test~(617)555-0100", "+16175550100", "a@example.test"),
        ("b@example.test^NET", None, "b@example.test"),
        ("^^X.400^c@example.test", None, "c@example.test"),
        ("^PRN^PH^^^^^^^^^6175550100", "+16175550100", None),
        ("^PRN^BP^^^617^5550100", None, None),
        ("", None, None),
    ],
)
def test_phone_and_email(xtn: str, phone: str | None, email: str | None) -> None:
    segment = parse(pid(xtn)).segment("PID")
    assert segment is not None
    assert phone_and_email(segment, 13) == (phone, email)


@pytest.mark.parametrize(
    ("xad_value", "expected"),
    [
        ("1 A St^Fl 2^Boston^MA^02101^USA", ("1 A St", "Fl 2", "Boston", "MA", "02101", "US")),
        ("1 A St&A St&1^^Boston^MA^02101", ("1 A St", None, "Boston", "MA", "02101", "US")),
        ("1 A St^^San Juan^^00901^PRI", ("1 A St", None, "San Juan", None, "00901", "PR")),
        ("1 A St^^Toronto^ON^M5V^ca", ("1 A St", None, "Toronto", "ON", "M5V", "CA")),
        ("1 A St^^Oslo^^0150^NOR", ("1 A St", None, "Oslo", None, "0150", "NOR")),
        ("^^^^^^H", None),
    ],
)
def test_read_xad(xad_value: str, expected: tuple[str | None, ...] | None) -> None:
    segment = parse(pid("", xad_value)).segment("PID")
    assert segment is not None
    assert read_address(segment, xad("PID", 11)) == expected
