"""Ship-to countries become ISO alpha-2 whatever the PMS sends."""

from __future__ import annotations

import pytest

from finalmile.mapping.country import to_alpha2


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, "US"),
        ("", "US"),
        (" usa ", "US"),
        ("US", "US"),
        ("PRI", "PR"),
        ("can", "CA"),
        ("de", "DE"),
    ],
)
def test_to_alpha2(given: str | None, expected: str) -> None:
    assert to_alpha2(given) == expected
