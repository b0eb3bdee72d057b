"""Bytes a sloppy interface engine or an attacker sends: each is read or refused, never raised."""

from __future__ import annotations

import datetime as dt
import tracemalloc

import pytest

from finalmile.adapters.hl7v2 import (
    AckCode,
    Hl7Limits,
    build_ack,
    codec_for,
    decode,
    encode_ack,
    parse,
    read_header,
)
from finalmile.errors import InputError
from finalmile.intake import refuse_oversize
from finalmile.intake.acks import acknowledge
from finalmile.intake.outcome import Outcome, OutcomeKind
from finalmile.intake.prepare import prepare_hl7
from finalmile.mapping import Hl7Profile
from tests.hl7_builder import msa, rde, segment

NOW = dt.datetime(2026, 11, 20, 14, tzinfo=dt.UTC)
MSH = b"MSH|^~\\&|PMS|PHARM|FINALMILE|FM|20261120||RDE^O11^RDE_O11|C1|P|"
#: 362 bytes once framed in a message: 300 million line breaks and 300 million spaces decoded.
BOMB = b"\\.sp300000000\\\\.sk300000000\\"


def _prepare(raw: bytes, limits: Hl7Limits | None = None) -> tuple[list[bytes], InputError | None]:
    prepared = prepare_hl7(
        raw,
        connector="c",
        profile=Hl7Profile(),
        received_at=NOW,
        limits=limits or Hl7Limits(),
    )
    kind = OutcomeKind.REJECTED if prepared.error else OutcomeKind.ACCEPTED
    return acknowledge(prepared.header, Outcome(kind=kind, error=prepared.error)), prepared.error


@pytest.mark.parametrize("raw", [b"MSH\rPID|1", b"xxMSH\n", b"MSH", b"\x0bMSH\x1c"])
def test_an_msh_with_nothing_after_it_is_answered(raw: bytes) -> None:
    header = read_header(raw)
    assert header is None or header.control_id == ""
    [ack] = _prepare(raw)[0]
    assert msa(ack)[1:3] == ["AE", '""']


def test_a_charset_name_without_a_codec_is_unsupported_and_the_ack_falls_back() -> None:
    raw = MSH + b"2.5.1||||||ISO-8859-12\rPID|1\r"
    assert codec_for("ISO-8859-12") is None
    with pytest.raises(InputError) as caught:
        decode(raw)
    assert (caught.value.location, caught.value.code) == ("MSH-18", "unsupported_charset")
    [ack], error = _prepare(raw)
    assert error is not None and error.code == "unsupported_charset"
    assert ack.decode("utf-8").split("\r")[0].endswith("|UNICODE UTF-8")
    warning = [s for s in ack.decode().split("\r") if s.startswith("ERR") and "|W|" in s]
    assert warning == [
        "ERR||MSH^1^18|103^Table value not found^HL70357|W||||MSH-18 names a character set "
        "this receiver cannot use; this ACK is UNICODE UTF-8"
    ]


@pytest.mark.parametrize("version", ["2.²".encode(), b"2." + b"9" * 5000, b"\xd9\xa3.5"])
def test_a_version_that_is_not_ascii_digits_gets_a_251_ack(version: bytes) -> None:
    [ack], _ = _prepare(MSH + version + b"\rPID|1\r")
    msh = ack.decode().split("\r")[0].split("|")
    assert msh[11] == "2.5.1"
    assert msa(ack)[1] == "AE"
    assert any(s.startswith("ERR||MSH^1^12|203^") for s in ack.decode().split("\r"))


def test_the_oversize_refusal_reads_any_head() -> None:
    for head in (b"MSH", b"MSH\r", MSH + "2.²".encode(), MSH + b"2.5.1||||||ISO-8859-12"):
        [ack] = refuse_oversize(head, 1024)
        assert msa(ack)[1] == "AE"


def test_an_ack_is_encodable_for_any_header() -> None:
    header = read_header(MSH + b"2.5.1||||||CP1259")
    assert header is not None and header.charset == "CP1259"
    ack = build_ack(header, code=AckCode.AA, control_id="A", now=NOW)
    assert encode_ack(ack, header).startswith(b"MSH|")


def test_control_characters_cannot_be_delimiters() -> None:
    header = read_header(b"MSH\x1c^~\\&\x1cA\x1cB")
    ack = build_ack(header, code=AckCode.AE, control_id="A", now=NOW)
    assert "\x1c" not in ack


def test_the_escape_bomb_is_refused_at_its_field_without_expanding() -> None:
    raw = rde("C1", "RX-1").replace(b"MRN4417", BOMB, 1)
    tracemalloc.start()
    try:
        [ack], error = _prepare(raw)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error is not None
    assert (error.location, error.code) == ("PID-3", "escape_too_large")
    assert msa(ack)[1] == "AE"
    err = segment(ack, "ERR")
    assert err is not None and err[2] == "PID^1^3"
    assert peak < 5_000_000


def test_repeated_small_escapes_count_towards_the_message_limit() -> None:
    limits = Hl7Limits(max_field_expansion=1_000, max_message_expansion=5_000)
    many = b"\\.sp900\\" * 1
    raw = rde("C1", "RX-1").replace(b"Leave with concierge", many * 1).rstrip(b"\r")
    raw += b"\r" + b"\r".join(b"NTE|1||" + many for _ in range(6)) + b"\r"
    _, error = _prepare(raw, limits)
    assert error is not None and (error.location, error.code) == ("NTE-3", "escape_too_large")
    _, error = _prepare(raw.replace(b"sp900", b"sp9000", 1), limits)
    assert error is not None and (error.location, error.code) == ("ZDL-4", "escape_too_large")


def test_an_escape_with_thousands_of_digits_does_not_raise() -> None:
    with pytest.raises(InputError) as caught:
        parse((MSH + b"2.5.1\rNTE|1||\\.sk" + b"9" * 5000 + b"\\").decode())
    assert (caught.value.location, caught.value.code) == ("NTE-3", "escape_too_large")


def test_segment_and_repetition_counts_are_bounded() -> None:
    limits = Hl7Limits(max_segments=50, max_repetitions=10)
    _, error = _prepare(rde("C1", "RX-1") + b"NTE|1\r" * 60, limits)
    assert error is not None and (error.location, error.code) == ("segment 51", "too_many_segments")
    _, error = _prepare(rde("C1", "RX-1").replace(b"MRN4417", b"~" * 10, 1), limits)
    assert error is not None and (error.location, error.code) == ("PID-3", "too_many_repetitions")
    _, error = _prepare(rde("C1", "RX-1").replace(b"MRN4417", b"~" * 9, 1), limits)
    assert error is None or error.code != "too_many_repetitions"


@pytest.mark.parametrize(
    ("old", "new", "location"),
    [
        (b"ORC|NW|RX-1", b"ORC|NW|INJ\\X0D\\ZZZ", "ORC-2.1"),
        (b"ORC|NW|RX-1", b"ORC|NW|RX\\.br\\1", "ORC-2.1"),
        (b"MRN4417^", b"MRN\\X00\\4417^", "PID-3"),
        (b"|C1|", b"|C\x011|", "MSH-10"),
    ],
)
def test_identifiers_with_control_characters_are_refused(
    old: bytes, new: bytes, location: str
) -> None:
    [ack], error = _prepare(rde("C1", "RX-1").replace(old, new, 1))
    assert error is not None and (error.location, error.code) == (location, "control_character")
    assert msa(ack)[1] == "AE"
    assert "ZZZ" not in error.message and "4417" not in error.message
