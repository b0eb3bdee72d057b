"""Acknowledgements: original and enhanced mode, the ACK text per version, and hl7apy's verdict."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from finalmile.adapters.hl7v2.ack import (
    AckCode,
    Outcome,
    acknowledgements,
    build_ack,
    encode_ack,
    error_condition,
)
from finalmile.adapters.hl7v2.header import MessageHeader, read_header
from finalmile.adapters.hl7v2.parse import parse
from finalmile.adapters.hl7v2.structure import check_structure
from finalmile.errors import InputError

FIXTURES = Path(__file__).parents[3] / "fixtures" / "hl7"
NOW = dt.datetime(2026, 11, 20, 9, 30, 5, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
HEADER = MessageHeader(
    sending_application="PMS^1.2.3^ISO",
    sending_facility="PHARM",
    receiving_application="FINALMILE",
    receiving_facility="FM",
    message_code="RDE",
    trigger_event="O11",
    message_structure="RDE_O11",
    control_id="MSG1",
    processing_id="P",
    version="2.5.1",
)
PID7 = InputError("PID-7 is not a valid date", location="PID-7", code="invalid_date")
# Every version the mapping accepts that hl7apy has definitions for (it has none for 2.7.1).
VERSIONS = ["2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6", "2.7", "2.8", "2.8.1", "2.8.2"]


def header(accept: str = "", application: str = "", version: str = "2.5.1") -> MessageHeader:
    return replace(
        HEADER, accept_ack_type=accept, application_ack_type=application, version=version
    )


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [(Outcome.ACCEPTED, ["AA"]), (Outcome.REJECTED, ["AE"]), (Outcome.RETRY, ["AR"])],
)
def test_original_mode(outcome: Outcome, expected: list[str]) -> None:
    assert acknowledgements(header(), outcome) == expected
    assert acknowledgements(None, outcome) == expected


MSH9 = InputError("unsupported", location="MSH-9", code="unsupported_message_type")
MSH12 = InputError("unsupported", location="MSH-12", code="unsupported_version")


@pytest.mark.parametrize(
    ("accept", "application", "outcome", "error", "expected"),
    [
        ("AL", "AL", Outcome.ACCEPTED, None, ["CA", "AA"]),
        ("AL", "AL", Outcome.REJECTED, PID7, ["CA", "AE"]),
        ("AL", "AL", Outcome.REJECTED, MSH9, ["CR"]),
        ("AL", "AL", Outcome.REJECTED, MSH12, ["CR"]),
        ("AL", "AL", Outcome.RETRY, None, ["CE"]),
        ("AL", "NE", Outcome.ACCEPTED, None, ["CA"]),
        ("AL", "NE", Outcome.REJECTED, PID7, ["CA"]),
        ("NE", "AL", Outcome.ACCEPTED, None, ["AA"]),
        ("NE", "AL", Outcome.REJECTED, MSH9, ["AE"]),
        ("NE", "AL", Outcome.RETRY, None, ["AR"]),
        ("NE", "NE", Outcome.ACCEPTED, None, []),
        ("NE", "NE", Outcome.RETRY, None, []),
        ("ER", "ER", Outcome.ACCEPTED, None, []),
        ("ER", "ER", Outcome.REJECTED, PID7, ["AE"]),
        ("ER", "ER", Outcome.RETRY, None, ["CE"]),
        ("SU", "SU", Outcome.ACCEPTED, None, ["CA", "AA"]),
        ("SU", "SU", Outcome.REJECTED, PID7, ["CA"]),
        ("SU", "AL", Outcome.RETRY, None, ["AR"]),
        ("AL", "", Outcome.ACCEPTED, None, ["CA"]),
        ("", "AL", Outcome.ACCEPTED, None, ["AA"]),
        ("", "ER", Outcome.REJECTED, PID7, ["AE"]),
        ("al", "su", Outcome.ACCEPTED, None, ["CA", "AA"]),
        ("XX", "NE", Outcome.ACCEPTED, None, ["CA"]),
    ],
)
def test_enhanced_mode(
    accept: str, application: str, outcome: Outcome, error: InputError | None, expected: list[str]
) -> None:
    assert acknowledgements(header(accept, application), outcome, error=error) == expected


def test_aa_exact() -> None:
    ack = build_ack(HEADER, code=AckCode.AA, control_id="ACK1", now=NOW)
    assert ack == (
        "MSH|^~\\&|FINALMILE|FM|PMS^1.2.3^ISO|PHARM|20261120093005-0500||ACK^O11^ACK|ACK1|P|2.5.1\r"
        "MSA|AA|MSG1\r"
    )


def test_ae_with_err_v251_exact() -> None:
    error = InputError("RXE-8.9.3 (city) is required", location="RXE-8.9.3", code="required")
    ack = build_ack(HEADER, code=AckCode.AE, control_id="ACK2", now=NOW, error=error)
    assert ack.split("\r")[1:] == [
        "MSA|AE|MSG1|RXE-8.9.3 (city) is required",
        "ERR||RXE^1^8^1^9^3|101^Required field missing^HL70357|E||||RXE-8.9.3 (city) is required",
        "",
    ]


@pytest.mark.parametrize(
    ("version", "msh9", "msa", "err"),
    [
        ("2.3", "ACK^O11", "MSA|AE|MSG1|bad date", "ERR|PID^1^7^102&Data type error&HL70357"),
        ("2.3.1", "ACK^O11^ACK", "MSA|AE|MSG1|bad date", "ERR|PID^1^7^102&Data type error&HL70357"),
        ("2.4", "ACK^O11^ACK", "MSA|AE|MSG1|bad date", "ERR|PID^1^7^102&Data type error&HL70357"),
        (
            "2.5",
            "ACK^O11^ACK",
            "MSA|AE|MSG1|bad date",
            "ERR||PID^1^7|102^Data type error^HL70357|E||||PID-7 is not a valid date",
        ),
        (
            "2.6",
            "ACK^O11^ACK",
            "MSA|AE|MSG1|bad date",
            "ERR||PID^1^7|102^Data type error^HL70357|E||||PID-7 is not a valid date",
        ),
        (
            "2.7",
            "ACK^O11^ACK",
            "MSA|AE|MSG1",
            "ERR||PID^1^7|102^Data type error^HL70357|E||||PID-7 is not a valid date",
        ),
        (
            "2.8.2",
            "ACK^O11^ACK",
            "MSA|AE|MSG1",
            "ERR||PID^1^7|102^Data type error^HL70357|E||||PID-7 is not a valid date",
        ),
        (
            "v2",
            "ACK^O11^ACK",
            "MSA|AE|MSG1|bad date",
            "ERR||PID^1^7|102^Data type error^HL70357|E||||PID-7 is not a valid date",
        ),
    ],
)
def test_err_and_msa_per_version(version: str, msh9: str, msa: str, err: str) -> None:
    ack = build_ack(
        header(version=version),
        code=AckCode.AE,
        control_id="A",
        now=NOW,
        error=PID7,
        text="bad date",
    )
    msh, msa_, err_, *notes, end = ack.split("\r")
    fields = msh.split("|")
    assert (fields[8], fields[11]) == (msh9, version if version != "v2" else "2.5.1")
    assert (msa_, err_, end) == (msa, err, "")
    # An MSH-12 the receiver cannot read is said in a warning ERR, without quoting it.
    assert notes == (
        [
            "ERR||MSH^1^12|203^Unsupported version id^HL70357|W||||MSH-12 is not a version this "
            "receiver reads; this ACK uses 2.5.1"
        ]
        if version == "v2"
        else []
    )


def test_text_and_control_id_are_escaped_with_the_message_delimiters() -> None:
    ack = build_ack(
        HEADER, code=AckCode.AR, control_id="A|1", now=NOW, text="busy | try ^ later & \\ ~"
    )
    assert "|A\\F\\1|" in ack
    assert "MSA|AR|MSG1|busy \\F\\ try \\S\\ later \\T\\ \\E\\ \\R\\\r" in ack


def test_separators_are_echoed() -> None:
    inbound = read_header((FIXTURES / "omp_o09_v27_delimiters.hl7").read_bytes())
    error = InputError(
        "ZDL-2 code 'X' is unknown; expected one of A!C", location="ZDL-2", code="unknown_code"
    )
    ack = build_ack(inbound, code=AckCode.AE, control_id="ACK!9", now=NOW, error=error)
    assert ack == (
        "MSH!@%*$#!FINALMILE!FM!PHARMSYS!SPECRX!20261120093005-0500!!ACK@O09@ACK!ACK*F*9!P!2.7\r"
        "MSA!AE!MSG00005\r"
        "ERR!!ZDL@1@2!103@Table value not found@HL70357!E!!!!"
        "ZDL-2 code 'X' is unknown; expected one of A*F*C\r"
    )
    parsed = parse(ack)
    assert parsed.get("ERR-8") == error.message
    assert parsed.get("MSH-10") == "ACK!9"


def test_msh_18_and_processing_id_are_echoed() -> None:
    inbound = replace(HEADER, charset="8859/1", processing_id="T")
    fields = build_ack(inbound, code=AckCode.AA, control_id="A", now=NOW).split("\r")[0].split("|")
    assert (fields[10], fields[17]) == ("T", "8859/1")


def test_without_a_header_the_ack_uses_defaults() -> None:
    error = InputError("no MSH", location="MSH", code="missing_msh")
    ack = build_ack(None, code=AckCode.AE, control_id="A", now=NOW, error=error)
    assert ack == (
        "MSH|^~\\&|||||20261120093005-0500||ACK^^ACK|A|P|2.5.1\r"
        'MSA|AE|""|no MSH\r'
        "ERR||MSH^1|100^Segment sequence error^HL70357|E||||no MSH\r"
    )


def test_error_without_a_segment_location() -> None:
    error = InputError("segment 3 is bad", location="segment 3", code="invalid_segment_id")
    err = build_ack(HEADER, code=AckCode.AE, control_id="A", now=NOW, error=error).split("\r")[2]
    assert err == "ERR|||100^Segment sequence error^HL70357|E||||segment 3 is bad"
    v24 = build_ack(header(version="2.4"), code=AckCode.AE, control_id="A", now=NOW, error=error)
    assert v24.split("\r")[2] == "ERR|^^^100&Segment sequence error&HL70357"


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        build_ack(HEADER, code=AckCode.AA, control_id="A", now=dt.datetime(2026, 1, 1))


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("missing_msh", "100"),
        ("invalid_segment_id", "100"),
        ("required", "101"),
        ("invalid_date", "102"),
        ("invalid_quantity", "102"),
        ("invalid_encoding_characters", "102"),
        ("undecodable", "102"),
        ("unknown_code", "103"),
        ("unsupported_charset", "103"),
        ("unsupported_order_control", "103"),
        ("unsupported_message_type", "200"),
        ("unsupported_event", "201"),
        ("unsupported_processing_id", "202"),
        ("unsupported_version", "203"),
        ("duplicate", "205"),
        ("locked", "206"),
        ("internal_error", "207"),
    ],
)
def test_error_codes_map_onto_table_0357(code: str, expected: str) -> None:
    assert error_condition(InputError("x", code=code))[0] == expected


def test_encode_ack_uses_the_echoed_charset() -> None:
    inbound = replace(HEADER, sending_facility="PHARMÉ", charset="8859/1")
    ack = build_ack(inbound, code=AckCode.AA, control_id="A", now=NOW)
    assert encode_ack(ack, inbound) == ack.encode("latin-1")
    assert encode_ack(ack, None) == ack.encode("utf-8")
    assert encode_ack(ack, replace(inbound, charset="KLINGON")) == ack.encode("utf-8")


ERRORS = [
    None,
    PID7,
    InputError("x", location="RXE-8.9.3", code="required"),
    InputError("x", location="MSH-9", code="unsupported_message_type"),
    InputError("x", location="segment 4", code="invalid_segment_id"),
]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("code", list(AckCode))
@pytest.mark.parametrize("error", ERRORS, ids=lambda e: e.location if e else "none")
def test_every_ack_passes_hl7apy(version: str, code: AckCode, error: InputError | None) -> None:
    inbound = header(version=version)
    if version == "2.3":
        inbound = replace(inbound, trigger_event="O01", message_structure="")
    ack = build_ack(inbound, code=code, control_id="ACK1", now=NOW, error=error, text="note")
    assert check_structure(ack) == []


@pytest.mark.parametrize("version", ["2.3", "2.5.1", "2.8"])
def test_ack_without_header_passes_hl7apy(version: str) -> None:
    error = InputError("x", location="MSH", code="missing_msh")
    ack = build_ack(None, code=AckCode.AR, control_id="A", now=NOW, error=error)
    assert check_structure(ack) == []


@pytest.mark.parametrize(
    "broken",
    [
        "MSH|^~\\&|A|B|C|D|20261120093005||ACK^O11^ACK|1|P|2.5.1\r",
        "MSH|^~\\&|A|B|C|D|20261120093005||ACK^O11^ACK|1|P|2.5.1\rMSA|AA\r",
        "MSH|^~\\&|A|B|C|D|20261120093005||ACK^O11^ACK|1|P|2.5.1\rMSA|AA|1\rERR||PID^1^7\r",
        "MSH|^~\\&|A|B|C|D|20261120093005||ACK^O11^ACK|1|P|1.0\rMSA|AA|1\r",
        "not hl7 at all",
    ],
    ids=["no-msa", "no-msa-2", "err-without-err3", "unknown-version", "garbage"],
)
def test_check_structure_reports_problems(broken: str) -> None:
    problems = check_structure(broken)
    assert problems
    assert all(isinstance(p, str) and p for p in problems)


@pytest.mark.parametrize(
    ("version", "segments"),
    [
        ("2.6", ["MSA|AR|MSG1|storage busy, resend", ""]),
        (
            "2.7",
            [
                "MSA|AR|MSG1",
                "ERR|||207^Application internal error^HL70357|E||||storage busy, resend",
                "",
            ],
        ),
    ],
)
def test_reject_text_without_error(version: str, segments: list[str]) -> None:
    ack = build_ack(
        header(version=version),
        code=AckCode.AR,
        control_id="A",
        now=NOW,
        text="storage busy, resend",
    )
    assert ack.split("\r")[1:] == segments


def test_msa_3_is_cut_to_80_characters_before_escaping() -> None:
    text = "x" * 79 + "|tail"
    msa = build_ack(HEADER, code=AckCode.AE, control_id="A", now=NOW, text=text).split("\r")[1]
    assert msa == "MSA|AE|MSG1|" + "x" * 79 + "\\F\\"
