"""Text for PDFs drawn with fpdf2's core fonts, which hold only Windows-1252 characters."""

from __future__ import annotations

import unicodedata


def latin_text(text: str) -> str:
    """``text`` in the characters the core fonts have: others lose their accents (``ő`` -> ``o``)
    or become ``?``."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return "".join(_fallback(char) for char in text)
    return text


def _fallback(char: str) -> str:
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode() or "?"
    return char
