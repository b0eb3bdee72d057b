"""Synthetic HL7 v2.5.1 RDE^O11 orders: obviously fake patients, deterministic bytes.

Sequence ``n`` yields control id (MSH-10) ``SYNMSG000000000n`` and order number (ORC-2)
``SYN-000000n``; every other value is fixed or derived from ``n``, so the same arguments always
give the same message. Segments follow design.md's default HL7 v2 profile and end with ``\\r``.
"""

from __future__ import annotations

import datetime as dt

#: ZDL-2 storage codes: ambient, controlled room, refrigerated, frozen.
STORAGE_CODES = ("A", "C", "R", "F")
#: MSH-7 of sequence 0; sequence ``n`` is sent ``n`` seconds later.
SENT_AT = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
#: ZDL-1 (needed by) is this long after MSH-7.
NEEDED_AFTER = dt.timedelta(days=3, hours=8)

# One plausible product per storage class: RXE-2 NDC and text, RXE-10 quantity, RXE-11 unit, and
# RXR-1 route (HL7 Table 0162).
_PRODUCTS = {
    "A": ("99999-0101-30", "Synthetic capecitabine 500 mg tablet", "60", "TAB", "PO^Oral"),
    "C": ("99999-0202-01", "Synthetic adalimumab pen 40 mg/0.4 mL", "2", "EA", "SC^Subcutaneous"),
    "R": ("99999-0303-05", "Synthetic insulin lispro 100 unit/mL", "10", "mL", "SC^Subcutaneous"),
    "F": ("99999-0404-01", "Synthetic alprostadil 20 mcg/mL", "5", "mL", "IV^Intravenous"),
}
_GIVEN = ("Alex", "Jordan", "Casey", "Riley", "Morgan", "Quinn", "Avery", "Rowan")
_HL7_TIME = "%Y%m%d%H%M%S%z"


def control_id_for(sequence: int) -> str:
    """MSH-10 of message ``sequence``."""
    return f"SYNMSG{sequence:010d}"


def order_id_for(sequence: int) -> str:
    """ORC-2 (the order number) of message ``sequence``."""
    return f"SYN-{sequence:07d}"


def rde_o11(sequence: int, *, storage: str = "R", signature: bool = True) -> bytes:
    """An RDE^O11 (original-mode ACK) for a fake patient with one ORC/RXE/TQ1/RXR/ZDL group.

    Raises:
        ValueError: ``sequence`` is negative or ``storage`` is not one of ``STORAGE_CODES``.
    """
    if sequence < 0:
        raise ValueError("sequence must be 0 or more")
    if storage not in _PRODUCTS:
        raise ValueError(f"storage must be one of {', '.join(STORAGE_CODES)}")
    ndc, description, quantity, unit, route = _PRODUCTS[storage]
    sent_at = SENT_AT + dt.timedelta(seconds=sequence)
    needed_by = sent_at + NEEDED_AFTER
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=sequence % 18_000)
    mrn = f"SYN{sequence % 1_000_000:06d}"
    # 555-0100 to 555-0199 are reserved for fictional use in every NANP area code.
    phone = f"555{100 + sequence % 100:04d}"
    segments = (
        f"MSH|^~\\&|SYNPMS|SYNPHARMACY|FINALMILE|FINALMILE|{sent_at.strftime(_HL7_TIME)}||"
        f"RDE^O11^RDE_O11|{control_id_for(sequence)}|P|2.5.1",
        f"PID|1||{mrn}^^^SYNPMS^MR||Testpatient^{_GIVEN[sequence % len(_GIVEN)]}^^^^^L||"
        f"{birth:%Y%m%d}|U|||{100 + sequence % 900} Test Street^Apt {1 + sequence % 40}^"
        f"Springfield^MA^01101^USA^H||^PRN^PH^^1^413^{phone}",
        f"ORC|NW|{order_id_for(sequence)}^SYNPMS|||||||{sent_at.strftime(_HL7_TIME)}",
        f"RXE||{ndc}^{description}^N4|{quantity}||{unit}|||||{quantity}|{unit}^{unit}^UCUM",
        f"TQ1|1||||||{sent_at.strftime(_HL7_TIME)}",
        f"RXR|{route}^HL70162",
        f"ZDL|{needed_by.strftime(_HL7_TIME)}|{storage}|{'Y' if signature else 'N'}|"
        "Leave with the front desk",
    )
    return "\r".join(segments).encode("ascii") + b"\r"
