"""JSON nesting is measured on the bytes, across chunk boundaries, ignoring brackets in strings."""

from __future__ import annotations

import pytest

from finalmile.errors import InputError
from finalmile.jsonlimits import MAX_JSON_DEPTH, DepthGauge, check_depth


def test_brackets_inside_strings_and_escaped_quotes_do_not_count() -> None:
    assert DepthGauge().feed(b'{"a": "[[[{{{\\"[[[", "b": [1, [2]]}') == 3


def test_an_escape_split_across_chunks_is_followed() -> None:
    gauge = DepthGauge()
    gauge.feed(b'{"a": "x\\')
    gauge.feed(b'"[[[[", "b": [')
    assert gauge.deepest == 2 and gauge.depth == 2


def test_deep_nesting_is_refused_before_parsing() -> None:
    check_depth(b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH)
    with pytest.raises(InputError) as caught:
        check_depth(b"[" * 100_000)
    assert caught.value.code == "too_deep" and caught.value.location == "body"
