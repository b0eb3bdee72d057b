"""HL7 v2 data types read into Python values: DTM/TS, CX, XPN, XTN, and XAD/LA1/LA2 addresses.

Component layouts follow HL7 v2.5 chapter 2A; where versions differ the reading works for all of
v2.3 to v2.8 (e.g. XAD.1 became SAD in v2.5: its first subcomponent is the street line either way).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import NamedTuple
from zoneinfo import ZoneInfo

from finalmile.adapters.hl7v2 import Path, Segment
from finalmile.errors import InputError
from finalmile.mapping.address import street_line, trimmed
from finalmile.mapping.codes import MappingCode
from finalmile.mapping.country import to_alpha2
from finalmile.mapping.phone import to_e164
from finalmile.mapping.product import HL7_NDC_SYSTEMS, Coding, Product, product

_DTM = re.compile(r"(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.(\d{1,4}))?([+-]\d{4})?")
_PHONE_RANK = {"CP": 1, "PH": 2}
_NOT_A_PHONE = ("FX", "MD", "BP", "INTERNET", "X.400")
_EMAIL_EQUIPMENT = ("INTERNET", "X.400")
# XAD.7 address types in order of preference for a delivery (HL7 Table 0190): shipping, current
# or temporary, home, mailing.
ADDRESS_TYPE_PREFERENCE = ("SH", "C", "H", "M")


class Dtm(NamedTuple):
    """The parts of a DTM (or TS.1) value; ``None`` below the precision it was sent with."""

    year: int
    month: int | None
    day: int | None
    hour: int | None
    minute: int | None
    second: int | None
    microsecond: int
    offset: dt.timezone | None


def parse_dtm(value: str, location: str) -> Dtm:
    """Split ``YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ]`` (HL7 v2.5 §2A.3.22).

    Raises:
        InputError: ``invalid_date`` at ``location`` when the value is not a DTM.
    """
    match = _DTM.fullmatch(value.strip())
    if match is None:
        raise _bad_date(location)
    year, fraction, offset = match.group(1), match.group(7), match.group(8)
    zone = None
    if offset:
        hours, minutes = int(offset[1:3]), int(offset[3:])
        if hours > 14 or minutes > 59:
            raise _bad_date(location)
        sign = -1 if offset[0] == "-" else 1
        zone = dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
    month, day, hour, minute, second = (int(p) if p else None for p in match.groups()[1:6])
    microsecond = int(fraction.ljust(6, "0")) if fraction else 0
    return Dtm(int(year), month, day, hour, minute, second, microsecond, zone)


def birth_date(value: str, location: str) -> dt.date | None:
    """A date of birth from a DTM; ``None`` when it was sent as a year or year-month only.

    DTM allows reduced precision and some systems send a birth year alone: that is valid HL7, but
    not a date, so it reads as unknown rather than as a rejection or an invented day.
    """
    parts = parse_dtm(value, location)
    if parts.month is None or parts.day is None:
        return None
    try:
        return dt.date(parts.year, parts.month, parts.day)
    except ValueError:
        raise _bad_date(location) from None


def deadline(value: str, location: str, zone: str) -> dt.datetime:
    """A timezone-aware deadline from a DTM.

    An offset in the value is kept; without one the time is local to ``zone``. A date alone means
    the end of that local day (23:59:59): "needed by the 24th" allows all of the 24th.

    Raises:
        InputError: ``invalid_date`` when the value is not a DTM or is less precise than a day.
    """
    p = parse_dtm(value, location)
    if p.month is None or p.day is None:
        raise InputError(
            f"{location} must give at least a day: YYYYMMDD[HHMM[SS]][+/-ZZZZ]",
            location=location,
            code=MappingCode.INVALID_DATE,
        )
    tzinfo = p.offset or ZoneInfo(zone)
    try:
        if p.hour is None:
            return dt.datetime(p.year, p.month, p.day, 23, 59, 59, tzinfo=tzinfo)
        return dt.datetime(
            p.year, p.month, p.day, p.hour, p.minute or 0, p.second or 0, p.microsecond, tzinfo
        )
    except ValueError:
        raise _bad_date(location) from None


def _bad_date(location: str) -> InputError:
    return InputError(
        f"{location} is not a valid HL7 date/time; expected YYYYMMDD[HHMM[SS[.SSSS]]][+/-ZZZZ]",
        location=location,
        code=MappingCode.INVALID_DATE,
    )


def pick_repetition(
    segment: Segment, field: int, component: int, preferred: tuple[str, ...]
) -> int:
    """The 1-based repetition whose ``component`` is the most preferred code (else 1)."""
    count = segment.repetition_count(field)
    if count < 2:
        return 1
    codes = [
        (segment.value(field, component, repetition=r) or "").upper() for r in range(1, count + 1)
    ]
    for code in preferred:
        if code in codes:
            return codes.index(code) + 1
    return 1


def phone_and_email(segment: Segment, field: int) -> tuple[str | None, str | None]:
    """The patient's phone (E.164 where possible) and email from repetitions of an XTN field.

    Phone: the primary residence number (XTN.2 PRN, Table 0201) first, then a cell phone, then a
    telephone (XTN.3 CP, PH, Table 0202), then any other number that is not a fax, modem, beeper
    or network address; the earliest repetition wins a tie. The number is built from XTN.5-7
    (country, area, local) when sent, else from XTN.12 (unformatted, v2.5+) or XTN.1 (v2.3 style).
    Email: XTN.4 (or an address in XTN.1) of a repetition with XTN.2 NET or XTN.3 Internet/X.400.
    """
    phone: tuple[int, str] | None = None
    email: str | None = None
    for rep in range(1, segment.repetition_count(field) + 1):
        # XTN components, 1-based as HL7 numbers them.
        xtn = ["", *(c or "" for c in segment.components(field, repetition=rep)), *[""] * 12]
        use, equipment = xtn[2].upper(), xtn[3].upper()
        if use == "NET" or equipment in _EMAIL_EQUIPMENT:
            address = xtn[4] or (xtn[1] if "@" in xtn[1] else "")
            email = email or address.strip() or None
            continue
        if equipment in _NOT_A_PHONE:
            continue
        if xtn[6] or xtn[7]:
            number = to_e164(xtn[6] + xtn[7], country_code=xtn[5])
        else:
            number = to_e164(xtn[12] or xtn[1])
        rank = 0 if use == "PRN" else _PHONE_RANK.get(equipment, len(_PHONE_RANK) + 1)
        if number and (phone is None or rank < phone[0]):
            phone = (rank, number)
    return (phone[1] if phone else None), email


@dataclass(frozen=True, slots=True)
class AddressLayout:
    """Where the six address parts (street, other designation, city, state, zip, country) sit in
    one field; ``labels`` name them in errors (``PID-11.1``, ``RXE-8.9.3``)."""

    paths: tuple[Path, ...]
    labels: tuple[str, ...]
    sad: bool = True  # the street is an SAD (street & street name & dwelling number)


def xad(segment: str, field: int) -> AddressLayout:
    """XAD: street (SAD.1) ^ other designation ^ city ^ state ^ zip ^ country."""
    paths = tuple(Path(segment, field, c, 1) for c in range(1, 7))
    return AddressLayout(paths, tuple(f"{segment}-{field}.{c}" for c in range(1, 7)))


def la2(segment: str, field: int) -> AddressLayout:
    """LA2 (RXD-13): components 9 to 14 are street, other designation, city, state, zip, country."""
    paths = tuple(Path(segment, field, c, 1) for c in range(9, 15))
    return AddressLayout(paths, tuple(f"{segment}-{field}.{c}" for c in range(9, 15)))


def la1(segment: str, field: int) -> AddressLayout:
    """LA1 (RXE-8, RXO-8): component 9 is an AD whose subcomponents are the address parts."""
    paths = tuple(Path(segment, field, 9, s) for s in range(1, 7))
    return AddressLayout(paths, tuple(f"{segment}-{field}.9.{s}" for s in range(1, 7)), sad=False)


def read_address(
    segment: Segment, layout: AddressLayout, repetition: int = 1
) -> tuple[str | None, ...] | None:
    """The six parts, trimmed (country as ISO alpha-2), or ``None`` when none of them is valued.

    An SAD street is composed from its subcomponents (``1000&Hospital Lane`` is
    ``1000 Hospital Lane``), so a house number and its street name are never split apart.
    """
    if not segment.raw(layout.paths[0].field):
        return None
    parts = [trimmed(segment.get(path, repetition=repetition)) for path in layout.paths]
    if layout.sad:
        street = layout.paths[0]
        parts[0] = street_line(
            *(
                segment.value(street.field, street.component, sub, repetition=repetition)
                for sub in (1, 2, 3)
            )
        )
    if not any(parts):
        return None
    return (*parts[:5], to_alpha2(parts[5]))


def cwe_product(segment: Segment, field: int) -> Product:
    """The product of a CWE (RXE-2, RXO-1, RXD-2): identifier ^ text ^ coding system ^
    alternate identifier ^ alternate text ^ alternate coding system. The NDC is the triplet whose
    system is ``NDC`` or ``N4`` (HL7 Table 0396); an identifier of another system is the item's
    ``code``; the description is the text, else the alternate text."""
    cwe = [segment.value(field, component) for component in range(1, 7)]
    codings = [Coding(cwe[0], cwe[1], cwe[2]), Coding(cwe[3], cwe[4], cwe[5])]
    return product(None, codings, is_ndc=HL7_NDC_SYSTEMS)
