"""Download names with any characters give a valid header: ASCII fallback plus RFC 5987 name."""

from __future__ import annotations

from finalmile.deps import content_disposition


def test_quotes_and_non_ascii_are_carried_in_filename_star() -> None:
    header = content_disposition('RX-"7"-Zoë\r\n.pdf')
    assert header == (
        "attachment; filename=\"RX-_7_-Zo___.pdf\"; filename*=UTF-8''RX-%227%22-Zo%C3%AB%0D%0A.pdf"
    )
    header.encode("latin-1")


def test_inline_and_undecodable_names() -> None:
    header = content_disposition("plan-1-d\udcff.pdf", inline=True)
    assert header.startswith('inline; filename="plan-1-d_.pdf"') and header.isascii()
