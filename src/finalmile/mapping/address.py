"""Addresses as a courier or carrier needs them: trimmed parts, street lines, deliverability."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from enum import StrEnum

from finalmile.canonical import Address
from finalmile.errors import InputError
from finalmile.geo import zip_states

_ZIP = re.compile(r"\d{5}(?:-?\d{4})?")
_NAMES = {"line1": "street", "city": "city", "state": "state", "postal_code": "postal code"}


def trimmed(value: str | None) -> str | None:
    """``value`` without surrounding blanks; None when nothing is left."""
    value = value.strip() if value else None
    return value or None


def street_line(address: str | None, name: str | None, number: str | None) -> str | None:
    """The street line of an HL7 SAD (street or mailing address & street name & dwelling number).

    Senders split it in different ways (``1000&Hospital Lane``, ``&Hospital Lane&1000``,
    ``1000 Hospital Lane&Hospital Lane&1000``): every part is kept once, the dwelling number
    before the street name when the first part is empty.
    """
    address, name, number = trimmed(address), trimmed(name), trimmed(number)
    line, rest = (address, (name, number)) if address else (number, (name,))
    for part in rest:
        if part and (line is None or part not in line):
            line = part if line is None else f"{line} {part}"
    return line


def fold_lines(lines: Iterable[str | None]) -> tuple[str | None, str | None]:
    """(line1, line2) from any number of street lines: lines 2.. are joined into line2 with
    ``", "`` so that nothing a sender wrote (a suite, a building) is dropped."""
    kept = [line for line in (trimmed(value) for value in lines) if line]
    return (kept[0] if kept else None), (", ".join(kept[1:]) or None)


def check_deliverable(
    address: Address, where: Mapping[str, str], *, required: StrEnum, undeliverable: StrEnum
) -> None:
    """Reject an address a courier or carrier cannot deliver to, naming the part.

    Every address needs a street line and a city; a US address also a state and a ZIP (5 digits
    or ZIP+4) that belongs to that state (offline USPS ZIP data; a ZIP the data
    lacks is checked by its 3-digit prefix). ``where`` maps the parts
    (``line1``, ``city``, ``state``, ``postal_code``) to their locations in the message.

    Raises:
        InputError: ``required`` for a missing part, ``undeliverable`` for a ZIP that is malformed,
            unknown or in another state. The message never quotes the address (PHI).
    """
    us = address.country.upper() == "US"
    for part in ("line1", "city", *(("state", "postal_code") if us else ())):
        if not trimmed(getattr(address, part)):
            raise InputError(
                f"{where[part]} ({_NAMES[part]}) is required for a delivery",
                location=where[part],
                code=required,
            )
    if not us:
        return
    postal_code, state = (address.postal_code or "").strip(), (address.state or "").strip()
    if not _ZIP.fullmatch(postal_code):
        problem = "is not a US ZIP code (5 digits or ZIP+4)"
    elif not (known := zip_states(postal_code)):
        problem = "is not a known US ZIP code"
    elif state.upper() not in known:
        problem = f"does not belong to the state in {where['state']}"
    else:
        return
    raise InputError(
        f"{where['postal_code']} (postal code) {problem}",
        location=where["postal_code"],
        code=undeliverable,
    )
