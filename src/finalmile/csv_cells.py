"""Cells of the CSV files finalmile writes for people: text a spreadsheet shows and never runs."""

from __future__ import annotations

#: A cell starting with one of these is a formula to a spreadsheet (OWASP CSV injection).
FORMULA_START = "=+-@\t\r"


def spreadsheet_text(value: str | None) -> str:
    """``value`` as a cell a spreadsheet shows and never evaluates: a leading ``= + - @``, tab or
    carriage return gets a ``'`` prefix; None is empty."""
    if not value:
        return ""
    return f"'{value}" if value[0] in FORMULA_START else value
