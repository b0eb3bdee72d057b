"""NDCs in every printed layout become the one 11-digit form."""

from __future__ import annotations

import pytest

from finalmile.items import format_ndc, normalize_ndc


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0002-8215-01", "00002821501"),  # 4-4-2
        ("68982-850-01", "68982085001"),  # 5-3-2
        ("68982-0850-1", "68982085001"),  # 5-4-1
        ("68982-0850-01", "68982085001"),  # 5-4-2
        ("68982085001", "68982085001"),  # 11 digits
        (" 0069-2587-10 ", "00069258710"),
    ],
)
def test_every_layout_normalises_to_eleven_digits(text: str, expected: str) -> None:
    assert normalize_ndc(text) == expected


@pytest.mark.parametrize(
    "text", ["6898208501", "68982-08501", "123-4567-89", "ABCDE-1234-56", "", "68982-0850-001"]
)
def test_ambiguous_or_malformed_codes_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="4-4-2, 5-3-2, 5-4-1 or 5-4-2"):
        normalize_ndc(text)


def test_eleven_digits_print_as_five_four_two() -> None:
    assert format_ndc("00002821501") == "00002-8215-01"
