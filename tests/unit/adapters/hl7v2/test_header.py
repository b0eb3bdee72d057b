"""MessageHeader from a parsed message, and the tolerant read_header used to address any ACK."""

from __future__ import annotations

from pathlib import Path

import pytest

from finalmile.adapters.hl7v2.header import MessageHeader, read_header
from finalmile.adapters.hl7v2.parse import decode, parse

FIXTURES = Path(__file__).parents[3] / "fixtures" / "hl7"
MSH = (
    r"MSH|^~\&|PMS^1.2.3^ISO|PHARM^x|FM|FM&sub|20261120||RDE^O11^RDE_O11|C-77|P^T|2.5.1^USA|||AL|NE||"
    r"UNICODE UTF-8~8859/1"
)
EXPECTED = MessageHeader(
    field_separator="|",
    encoding_characters="^~\\&",
    sending_application="PMS^1.2.3^ISO",
    sending_facility="PHARM^x",
    receiving_application="FM",
    receiving_facility="FM&sub",
    message_code="RDE",
    trigger_event="O11",
    message_structure="RDE_O11",
    control_id="C-77",
    processing_id="P^T",
    version="2.5.1",
    accept_ack_type="AL",
    application_ack_type="NE",
    charset="UNICODE UTF-8",
)


def test_header_of_a_parsed_message() -> None:
    assert parse(MSH + "\rPID|1").header == EXPECTED


def test_read_header_matches_the_parsed_header() -> None:
    assert read_header((MSH + "\rPID|1\r").encode()) == EXPECTED


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.hl7")))
def test_read_header_agrees_with_parse_on_every_fixture(name: str) -> None:
    raw = (FIXTURES / name).read_bytes()
    assert read_header(raw) == parse(decode(raw)).header


def test_read_header_keeps_unusual_delimiters() -> None:
    header = read_header((FIXTURES / "omp_o09_v27_delimiters.hl7").read_bytes())
    assert header is not None
    assert (header.field_separator, header.encoding_characters) == ("!", "@%*$#")
    assert (header.message_code, header.trigger_event, header.control_id) == (
        "OMP",
        "O09",
        "MSG00005",
    )


def test_read_header_survives_undecodable_bytes() -> None:
    raw = (MSH.replace("PHARM^x", "PHARMÉ") + "\rPID|1||Testpatiént\r").encode("latin-1")
    header = read_header(raw)
    assert header is not None
    assert header.control_id == "C-77"
    assert header.sending_facility == "PHARMÉ"


def test_read_header_skips_leading_garbage() -> None:
    header = read_header(b"\x00\x0bjunk" + MSH.encode() + b"\r")
    assert header is not None
    assert header.control_id == "C-77"


def test_read_header_falls_back_to_default_encoding_characters() -> None:
    header = read_header(b"MSH|^^|A|B|C|D|20261120||RDE^O11|C1|P|2.5.1\r")
    assert header is not None
    assert header.encoding_characters == "^~\\&"
    assert header.control_id == "C1"
    assert header.delimiters.component == "^"


@pytest.mark.parametrize("raw", [b"", b"PID|1||X\r", b"MSH", b"\xff\xfe\xfa"])
def test_read_header_without_an_msh_is_none(raw: bytes) -> None:
    assert read_header(raw) is None


def test_short_msh_leaves_fields_empty() -> None:
    header = read_header(b"MSH|^~\\&|A\r")
    assert header == MessageHeader(sending_application="A")
