"""Splitting HL7 v2 files: byte-order marks, glued messages and content that is not HL7."""

from __future__ import annotations

import pytest

from finalmile.adapters.hl7v2 import split_messages
from finalmile.errors import InputError
from tests.hl7_builder import rde

BOM = b"\xef\xbb\xbf"


def test_a_bom_before_the_only_message_keeps_it() -> None:
    assert split_messages(BOM + rde("B1", "RX-B1")) == [BOM + rde("B1", "RX-B1").rstrip(b"\r")]


def test_two_messages_glued_behind_a_bom_are_both_read() -> None:
    data = BOM + rde("B1", "RX-B1") + rde("B2", "RX-B2")
    messages = split_messages(data)
    assert [m.split(b"|")[9] for m in messages] == [b"B1", b"B2"]


def test_a_bom_before_each_message_of_a_file() -> None:
    data = BOM + rde("B1", "RX-B1") + b"\n" + BOM + rde("B2", "RX-B2")
    assert len(split_messages(data)) == 2


@pytest.mark.parametrize(
    "data", [b"GET / HTTP/1.1\r\nHost: pms\r\n\r\n", b"", BOM, b"PID|1||X\rORC|NW|1\r"]
)
def test_content_without_an_msh_segment_is_an_error_naming_msh(data: bytes) -> None:
    with pytest.raises(InputError) as raised:
        split_messages(data)
    assert (raised.value.location, raised.value.code) == ("MSH", "missing_msh")


def test_other_content_before_the_first_msh_is_an_error() -> None:
    with pytest.raises(InputError) as raised:
        split_messages(b"GET / HTTP/1.1\r\n\r\n" + rde("B1", "RX-B1"))
    assert raised.value.location == "MSH"
