"""MSH-18 character sets: Table 0211 names to codecs, decoding, and the errors senders get."""

from __future__ import annotations

import pytest

from finalmile.adapters.hl7v2.charset import codec_for, declared_charset, decode
from finalmile.errors import InputError

BODY = "PID|1||MRN1^^^H^MR||Testpatiént^Zoë\r"


def message(charset: str = "") -> str:
    return f"MSH|^~\\&|A|B|C|D|20261120||RDE^O11|1|P|2.5.1||||||{charset}\r" + BODY


@pytest.mark.parametrize(
    ("name", "codec"),
    [
        ("ASCII", "ascii"),
        ("8859/1", "iso8859-1"),
        ("8859/2", "iso8859-2"),
        ("8859/9", "iso8859-9"),
        ("8859/15", "iso8859-15"),
        ("ISO IR6", "ascii"),
        ("ISO IR100", "iso8859-1"),
        ("ISO IR192", "utf-8"),
        ("UNICODE UTF-8", "utf-8"),
        ("unicode utf-8", "utf-8"),
        ("UNICODE_UTF-8", "utf-8"),
        ("UNICODE UTF-16", "utf-16"),
        ("UNICODE UTF-32", "utf-32"),
        ("CP1252", "cp1252"),
        ("WINDOWS-1252", "cp1252"),
        ("ISO-8859-15", "iso8859-15"),
        ("KLINGON", None),
        ("ISO IR87", None),
    ],
)
def test_codec_for_table_0211_and_wild_names(name: str, codec: str | None) -> None:
    assert codec_for(name) == codec


def test_declared_charset_reads_first_repetition_of_msh_18() -> None:
    raw = message("8859/1~UNICODE UTF-8").encode()
    assert declared_charset(raw) == "8859/1"
    assert declared_charset(b"PID|1") == ""


@pytest.mark.parametrize(
    ("charset", "encoding"),
    [
        ("", "utf-8"),
        ("UNICODE UTF-8", "utf-8"),
        ("8859/1", "latin-1"),
        ("ISO IR100", "latin-1"),
        ("CP1252", "cp1252"),
    ],
)
def test_decode_uses_msh_18(charset: str, encoding: str) -> None:
    text = message(charset)
    assert decode(text.encode(encoding)) == text


def test_decode_falls_back_when_msh_18_is_empty() -> None:
    text = message()
    assert decode(text.encode("latin-1"), fallback_charset="8859/1") == text
    assert decode(text.encode("cp1252"), fallback_charset="windows-1252") == text


def test_decode_strips_a_utf8_bom() -> None:
    text = message("UNICODE UTF-8")
    assert decode(b"\xef\xbb\xbf" + text.encode()) == text


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le"])
def test_decode_recognises_utf16_and_utf32(codec: str) -> None:
    text = message("UNICODE UTF-16" if "16" in codec else "UNICODE UTF-32")
    assert decode(text.encode(codec)) == text


def test_unknown_charset_is_rejected_at_msh_18() -> None:
    with pytest.raises(InputError) as caught:
        decode(message("KLINGON").encode())
    assert (caught.value.location, caught.value.code) == ("MSH-18", "unsupported_charset")


def test_undecodable_bytes_name_the_offset_and_never_quote_content() -> None:
    raw = message("UNICODE UTF-8").encode("latin-1")
    with pytest.raises(InputError) as caught:
        decode(raw)
    error = caught.value
    assert (error.location, error.code) == ("MSH-18", "undecodable")
    offset = raw.index("é".encode("latin-1"))
    assert f"offset {offset}" in error.message
    assert "MSH-18" in error.message
    assert "Testpati" not in str(error)


def test_undecodable_with_empty_msh_18_names_the_connector_default() -> None:
    with pytest.raises(InputError) as caught:
        decode(message().encode("latin-1"))
    assert caught.value.code == "undecodable"
    assert "connector default" in caught.value.message
