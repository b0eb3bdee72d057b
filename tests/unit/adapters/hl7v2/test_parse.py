"""The ER7 parser: segment ends, delimiters, field numbers, paths, escapes, structural errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from finalmile.adapters.hl7v2.parse import Path as HL7Path
from finalmile.adapters.hl7v2.parse import decode, parse, parse_path
from finalmile.errors import InputError

FIXTURES = Path(__file__).parents[3] / "fixtures" / "hl7"
SEGMENTS = [
    r"MSH|^~\&|PMS^1.2.3^ISO|PHARM|FM|FM|20261120||RDE^O11^RDE_O11|C1|P|2.5.1",
    r"PID|1||X9^^^H^PI~MRN1^^^H^MR||Testpatient&vd&Own^Jane||19610402||||1 A St^^Boston",
    r"ORC|NW|RX-1",
    r"RXE|1|00002^Insulin||||||^^^^^^^^9 B St&Apt 3&Salem&MA||2|mL",
    r'ZDL|20261124||""|x',  # ZDL-3 is the HL7 null ""
]


def text(end: str = "\r") -> str:
    return end.join(SEGMENTS) + end


@pytest.mark.parametrize(
    "raw",
    [
        text("\r"),
        text("\n"),
        text("\r\n"),
        "\r\n".join(SEGMENTS[:2]) + "\n\n" + "\r".join(SEGMENTS[2:]) + "\r\r",
        text("\r").rstrip("\r"),
    ],
    ids=["cr", "lf", "crlf", "mixed-with-blank-lines", "no-final-terminator"],
)
def test_segment_terminators(raw: str) -> None:
    message = parse(raw)
    assert [s.name for s in message] == ["MSH", "PID", "ORC", "RXE", "ZDL"]
    assert message.get("ZDL-4") == "x"


@pytest.mark.parametrize(
    ("path", "repetition", "expected"),
    [
        ("MSH-1", 1, "|"),
        ("MSH-2", 1, "^~\\&"),
        ("MSH-3", 1, "PMS^1.2.3^ISO"),
        ("MSH-3.2", 1, "1.2.3"),
        ("MSH-9.1", 1, "RDE"),
        ("MSH-9.3", 1, "RDE_O11"),
        ("MSH-10", 1, "C1"),
        ("MSH-12", 1, "2.5.1"),
        ("PID-3.1", 1, "X9"),
        ("PID-3.1", 2, "MRN1"),
        ("PID-3.5", 2, "MR"),
        ("PID-3.1", 3, None),
        ("PID-5", 1, "Testpatient&vd&Own^Jane"),
        ("PID-5.1", 1, "Testpatient&vd&Own"),
        ("PID-5.1.1", 1, "Testpatient"),
        ("PID-5.1.3", 1, "Own"),
        ("PID-5.1.4", 1, None),
        ("PID-5.2", 1, "Jane"),
        ("PID-5.2.1", 1, "Jane"),
        ("PID-5.2.2", 1, None),
        ("PID-7", 1, "19610402"),
        ("PID-11.3", 1, "Boston"),
        ("PID-11.4", 1, None),
        ("PID-40", 1, None),
        ("RXE-8.9.1", 1, "9 B St"),
        ("RXE-8.9.3", 1, "Salem"),
        ("RXE-10", 1, "2"),
        ("ZDL-2", 1, None),
        ("ZDL-3", 1, None),
        ("NTE-1", 1, None),
    ],
)
def test_value_paths(path: str, repetition: int, expected: str | None) -> None:
    assert parse(text()).get(path, repetition=repetition) == expected


def test_segment_api() -> None:
    message = parse(text())
    pid = message.segment("PID")
    assert pid is not None
    assert pid.repetition_count(3) == 2
    assert pid.repetition_count(4) == 0
    assert pid.raw(3) == "X9^^^H^PI~MRN1^^^H^MR"
    assert pid.value(3, 1, repetition=2) == "MRN1"
    assert pid.components(3, repetition=2) == ["MRN1", None, None, "H", "MR"]
    assert pid.components(3, repetition=3) == []
    assert message.segments("ORC")[0].value(2) == "RX-1"
    assert message.segment("OBX") is None
    assert len(message) == 5


def test_order_groups_and_preamble() -> None:
    raw = "\r".join(
        [SEGMENTS[0], SEGMENTS[1], "ZDL|pre", "ORC|NW|A", "RXE|1", "ORC|NW|B", "RXE|2", "ZDL|b"]
    )
    message = parse(raw)
    assert [s.name for s in message.preamble] == ["MSH", "PID", "ZDL"]
    groups = message.order_groups
    assert [[s.name for s in g] for g in groups] == [["ORC", "RXE"], ["ORC", "RXE", "ZDL"]]
    assert [g.get("ORC-2") for g in groups] == ["A", "B"]
    assert groups[0].get("ZDL-1") is None
    assert groups[1].get("ZDL-1") == "b"


def test_custom_delimiters_from_msh() -> None:
    message = parse(decode((FIXTURES / "omp_o09_v27_delimiters.hl7").read_bytes()))
    d = message.delimiters
    assert (d.field, d.component, d.repetition, d.escape, d.subcomponent, d.truncation) == (
        "!",
        "@",
        "%",
        "*",
        "$",
        "#",
    )
    assert message.get("MSH-1") == "!"
    assert message.get("MSH-2") == "@%*$#"
    assert message.get("MSH-9.2") == "O09"
    assert message.get("PID-3.5") == "MR"
    assert message.get("ZDL-4") == "Gate code 12!34@B * ring twice"


@pytest.mark.parametrize(
    ("escaped", "decoded"),
    [
        ("a\\F\\b", "a|b"),
        ("a\\S\\b", "a^b"),
        ("a\\T\\b", "a&b"),
        ("a\\R\\b", "a~b"),
        ("a\\E\\b", "a\\b"),
        ("\\X41\\", "A"),
        ("\\XC3A9\\", "é"),
        ("line\\.br\\next", "line\nnext"),
        ("a\\.sp2\\b", "a\n\nb"),
        ("a\\.sp\\b", "a\nb"),
        ("a\\.sk3\\b", "a   b"),
        ("a\\.in+4\\b\\.ti-2\\c\\.fi\\\\.nf\\\\.ce\\", "abc"),
        ("\\H\\bold\\N\\ text", "bold text"),
        ("\\Zlocal\\", "\\Zlocal\\"),
        ("\\C2842\\", "\\C2842\\"),
        ("\\XZZ\\", "\\XZZ\\"),
        ("\\P\\", "\\P\\"),
        ("no escapes", "no escapes"),
        ("dangling \\", "dangling \\"),
    ],
)
def test_escape_sequences(escaped: str, decoded: str) -> None:
    raw = "\r".join([SEGMENTS[0], f"NTE|1||{escaped}"])
    assert parse(raw).get("NTE-3") == decoded


def test_truncation_escape_v27() -> None:
    raw = "\r".join([r"MSH|^~\&#|A|B|C|D|20261120||RDE^O11|1|P|2.7", "NTE|1||cut\\P\\here"])
    assert parse(raw).get("NTE-3") == "cut#here"


def test_hex_escape_is_decoded_in_the_message_charset() -> None:
    raw = "\r".join(
        [r"MSH|^~\&|A|B|C|D|20261120||RDE^O11|1|P|2.5.1||||||8859/1", "NTE|1||Jos\\XE9\\"]
    )
    assert parse(raw).get("NTE-3") == "José"
    assert parse(raw.replace("8859/1", ""), fallback_charset="8859/1").get("NTE-3") == "José"


@pytest.mark.parametrize(
    "raw",
    ["", "\r\n", "PID|1||X\rMSH|^~\\&|A", "MSH|^~", "EVN|A01\r"],
    ids=["empty", "blank", "pid-first", "too-short", "no-msh"],
)
def test_missing_msh(raw: str) -> None:
    with pytest.raises(InputError) as caught:
        parse(raw)
    assert (caught.value.location, caught.value.code) == ("MSH", "missing_msh")


@pytest.mark.parametrize(
    "msh",
    [
        r"MSH|^~\|A|B",
        r"MSH|^~\&#!|A|B",
        r"MSH|^^\&|A|B",
        r"MSH|^~a&|A|B",
        r"MSH|^~ &|A|B",
        r"MSH|^~|&|A|B",
        r"MSHX^~\&XAXB",
    ],
    ids=["three", "six", "repeated", "letter", "blank", "field-separator", "letter-separator"],
)
def test_bad_encoding_characters(msh: str) -> None:
    with pytest.raises(InputError) as caught:
        parse(msh + "\rPID|1")
    assert (caught.value.location, caught.value.code) == ("MSH-2", "invalid_encoding_characters")


@pytest.mark.parametrize(
    ("segment", "number"),
    [("pid|1", 2), ("PI|1", 2), ("PIDX|1", 2), ("P D|1", 2), (" PID|1", 2), ("PI", 2)],
)
def test_bad_segment_id_names_the_segment_number(segment: str, number: int) -> None:
    raw = "\r".join([SEGMENTS[0], segment, "ORC|NW|1"])
    with pytest.raises(InputError) as caught:
        parse(raw)
    assert (caught.value.location, caught.value.code) == (f"segment {number}", "invalid_segment_id")


def test_bad_segment_id_counts_only_non_blank_lines() -> None:
    raw = "\r\n".join([SEGMENTS[0], "", SEGMENTS[1], "ORC|NW|1", "", "rxe|1"])
    with pytest.raises(InputError) as caught:
        parse(raw)
    assert caught.value.location == "segment 4"


@pytest.mark.parametrize(
    ("text_", "path"),
    [
        ("PID-3", HL7Path("PID", 3)),
        ("PID-5.1", HL7Path("PID", 5, 1)),
        ("RXE-8.9.3", HL7Path("RXE", 8, 9, 3)),
        (" ZDL-1 ", HL7Path("ZDL", 1)),
    ],
)
def test_parse_path(text_: str, path: HL7Path) -> None:
    assert parse_path(text_) == path
    assert str(path) == text_.strip()


@pytest.mark.parametrize("bad", ["PID", "PID-0", "pid-3", "PID-3.", "PID-3.1.2.3", "PID3", ""])
def test_parse_path_rejects_non_paths(bad: str) -> None:
    with pytest.raises(ValueError, match="not an HL7 path"):
        parse_path(bad)


def test_first_component() -> None:
    assert parse_path("ZDL-1").first_component() == HL7Path("ZDL", 1, 1)
    assert parse_path("ZDL-1.2").first_component() == HL7Path("ZDL", 1, 2)


def test_hex_escape_with_a_python_codec_fallback() -> None:
    raw = "\r".join([SEGMENTS[0], "NTE|1||\\X80\\ 5"])
    assert parse(raw, fallback_charset="windows-1252").get("NTE-3") == "€ 5"
