"""Build synthetic HL7 v2 messages for integration tests (synthetic patients only)."""

from __future__ import annotations

PATIENT_FAMILY = "Quillfeather"
PATIENT_GIVEN = "Odalys"
PATIENT_STREET = "417 Juniper Hollow Rd"
PATIENT_PHONE_DIGITS = "6175550142"
PATIENT_BIRTH = "19580317"


def rde(
    control_id: str,
    order_id: str,
    *,
    storage: str = "R",
    quantity: str = "2",
    ndc: str = "00002-8215-01",
    order_control: str = "NW",
    version: str = "2.5.1",
    accept_ack: str = "",
    application_ack: str = "",
    family: str = PATIENT_FAMILY,
    birth: str = PATIENT_BIRTH,
    postal_code: str = "02139",
    schedule: str = "",
) -> bytes:
    """An RDE^O11 with one ORC/RXE group and a ZDL delivery segment, ``\\r`` segment ends;
    ``schedule`` is RXE-35 (controlled substance schedule), left out when empty."""
    segments = [
        f"MSH|^~\\&|PMS|PHARM|FINALMILE|FM|20261122090000-0500||RDE^O11^RDE_O11|{control_id}|P|"
        f"{version}|||{accept_ack}|{application_ack}",
        f"PID|1||MRN4417^^^PHARM^MR||{family}^{PATIENT_GIVEN}||{birth}|F|||"
        f"{PATIENT_STREET}^^Cambridge^MA^{postal_code}^USA^H||({PATIENT_PHONE_DIGITS[:3]})"
        f"{PATIENT_PHONE_DIGITS[3:6]}-{PATIENT_PHONE_DIGITS[6:]}",
        f"ORC|{order_control}|{order_id}",
        f"RXE||{ndc}^Insulin lispro 100 unit/mL^N4||||||||{quantity}|mL"
        + ("|" * 24 + schedule if schedule else ""),
        f"ZDL|20261124170000-0500|{storage}|Y|Leave with concierge",
    ]
    return "\r".join(segments).encode() + b"\r"


def msa(ack: bytes) -> list[str]:
    """The MSA fields of an ACK (MSA-1 is index 1)."""
    for segment in ack.decode("utf-8").split("\r"):
        if segment.startswith("MSA"):
            return segment.split("|")
    raise AssertionError(f"no MSA segment in {ack!r}")


def segment(ack: bytes, name: str) -> list[str] | None:
    """The fields of the first ``name`` segment of an ACK, or None."""
    for line in ack.decode("utf-8").split("\r"):
        if line.startswith(name + "|"):
            return line.split("|")
    return None
