"""The parts of an order read from HL7 v2 segments: patient (PID), ship-to address and items."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from finalmile.adapters.hl7v2 import Message, Segment, SegmentGroup
from finalmile.canonical import Address, ControlledSchedule, Item, Patient, StorageClass
from finalmile.errors import ErrorCode, InputError
from finalmile.mapping.address import check_deliverable, trimmed
from finalmile.mapping.codes import MappingCode
from finalmile.mapping.hl7_fields import (
    Hl7Fields,
    Source,
    lookup,
    read,
    required,
    storage_class,
    text,
)
from finalmile.mapping.hl7_types import (
    ADDRESS_TYPE_PREFERENCE,
    AddressLayout,
    birth_date,
    cwe_product,
    la1,
    la2,
    phone_and_email,
    pick_repetition,
    read_address,
    xad,
)
from finalmile.mapping.identifiers import check_identifier
from finalmile.mapping.product import checked_ndc
from finalmile.mapping.schedule import ScheduleError, controlled_schedule

_M = TypeVar("_M", bound=BaseModel)
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


@dataclass(frozen=True, slots=True)
class _ItemSource:
    segment: str
    product: int
    quantity: int
    unit: int


_RXE = _ItemSource("RXE", product=2, quantity=10, unit=11)
_RXO = _ItemSource("RXO", product=1, quantity=11, unit=12)
_RXD = _ItemSource("RXD", product=2, quantity=4, unit=5)
# RXE-35 Controlled Substance Schedule (CWE, HL7 Table 0477), v2.5+; RXD and RXO have no such field.
_SCHEDULE = "RXE-35"
_RXE_43, _RXD_13, _RXE_8, _RXO_8, _PID_11 = (
    xad("RXE", 43),
    la2("RXD", 13),
    la1("RXE", 8),
    la1("RXO", 8),
    xad("PID", 11),
)


def build(model: type[_M], location: str, **values: Any) -> _M:
    """Construct a contract model; a validation failure becomes an InputError at ``location``."""
    try:
        return model(**values)
    except ValidationError as exc:
        first = exc.errors(include_input=False, include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InputError(
            f"{location}: {where} is invalid ({first['msg']})",
            location=location,
            code=ErrorCode.INVALID,
        ) from None


def patient(message: Message, group: SegmentGroup, fields: Mapping[str, Source]) -> Patient:
    """The patient from PID: MRN from the PID-3 repetition of type MR (else the first), the legal
    name (XPN.7 L, else the first PID-5), PID-7 birth date, PID-13 phone and email; ``fields``
    re-points any of them (``{"mrn": Source}``), read in ``group``, else in the message."""
    pid = message.segment("PID")
    values: dict[str, Any] = {}
    if pid is not None:
        name = pick_repetition(pid, 5, 7, ("L",))
        born = None if "birth_date" in fields else pid.value(7, 1)
        phone, email = phone_and_email(pid, 13)
        values = {
            "mrn": pid.value(3, 1, repetition=pick_repetition(pid, 3, 5, ("MR",))),
            "family": pid.value(5, 1, 1, repetition=name),
            "given": pid.value(5, 2, repetition=name),
            "birth_date": birth_date(born, "PID-7") if born else None,
            "phone": phone,
            "email": email,
        }
    elif "mrn" not in fields:
        raise InputError("the message has no PID segment", location="PID", code=ErrorCode.REQUIRED)
    if fields:
        values.update(read(message, group, fields))
    mrn = values.get("mrn")
    if not mrn or not mrn.strip():
        if "mrn" in fields:
            raise required(fields["mrn"], "medical record number")
        raise InputError(
            "PID-3 must carry the patient's medical record number (CX.1, identifier type MR)",
            location="PID-3",
            code=ErrorCode.REQUIRED,
        )
    where = fields["mrn"].label if "mrn" in fields else "PID-3"
    values["mrn"] = check_identifier(mrn.strip(), location=where, what="medical record number")
    return build(Patient, "PID", **values)


def ship_to(
    message: Message,
    group: SegmentGroup,
    number: int,
    who: Patient,
    fields: Mapping[str, Source],
) -> Address:
    """The delivery address: RXE-43, else RXD-13 (LA2), else RXE-8 / RXO-8 (LA1), else PID-11
    (type SH, then C, H, M, else the first repetition); ``fields`` re-points any part of it."""
    rxe, rxd, rxo = group.segment("RXE"), group.segment("RXD"), group.segment("RXO")
    pid = message.segment("PID")
    sources: list[tuple[Segment | None, AddressLayout, int]] = [
        (rxe, _RXE_43, 1),
        (rxd, _RXD_13, 1),
        (rxe, _RXE_8, 1),
        (rxo, _RXO_8, 1),
    ]
    if pid is not None:
        sources.append((pid, _PID_11, pick_repetition(pid, 11, 7, ADDRESS_TYPE_PREFERENCE)))
    parts, layout = None, _PID_11
    for segment, layout, repetition in sources:
        parts = None if segment is None else read_address(segment, layout, repetition)
        if parts is not None:
            break
    values: dict[str, Any] = {"name": " ".join(p for p in (who.given, who.family) if p) or None}
    if parts is not None:
        street, other, city, state, postal_code, country = parts
        values |= {
            "line1": street,
            "line2": other,
            "city": city,
            "state": state,
            "postal_code": postal_code,
            "country": country,
        }
    if fields:
        values.update(
            (name, trimmed(value) if isinstance(value, str) else value)
            for name, value in read(message, group, fields).items()
        )
    for key, index, what in (("line1", 0, "street"), ("city", 2, "city")):
        value = values.get(key)
        if value and value.strip():
            continue
        if key in fields:
            raise required(fields[key], what)
        if parts is None:
            raise InputError(
                f"order group {number} has no delivery address: send RXE-43, RXD-13, RXE-8, "
                "RXO-8 or the patient's address in PID-11",
                location="PID-11",
                code=ErrorCode.REQUIRED,
            )
        raise InputError(
            f"{layout.labels[index]} ({what}) is required in the delivery address of order group "
            f"{number}",
            location=layout.labels[index],
            code=ErrorCode.REQUIRED,
        )
    where = layout.labels[0].rsplit(".", 1)[0] if parts else fields["line1"].label
    address = build(Address, where, **values)
    labels = {
        part: fields[part].label if part in fields else layout.labels[index]
        for part, index in (("line1", 0), ("city", 2), ("state", 3), ("postal_code", 4))
    }
    check_deliverable(
        address,
        labels,
        required=ErrorCode.REQUIRED,
        undeliverable=MappingCode.UNDELIVERABLE_ADDRESS,
    )
    return address


def items(
    message: Message,
    group: SegmentGroup,
    number: int,
    message_code: str,
    *,
    fields: Hl7Fields,
    storage_codes: Mapping[str, StorageClass],
) -> list[Item]:
    """One item per RXD for RDS, else per RXE, else per RXO. ``fields.item`` and
    ``fields.storage`` naming that segment are read in each item's own segment, others once in the
    group (else the message). The schedule is RXE-35 of the item's RXE, or for RXD items of the
    group's RXE (an RDS group without RXE, and RXO items, have none)."""
    code = message_code.upper()
    candidates = (_RXD,) if code == "RDS" else (_RXE, _RXO)
    source = next((s for s in candidates if group.segment(s.segment) is not None), None)
    if source is None:
        expected = {"RDS": "RXD", "ORM": "RXO", "OMP": "RXO"}.get(code, "RXE")
        raise InputError(
            f"order group {number} has no {expected} segment to take the items from",
            location=expected,
            code=ErrorCode.REQUIRED,
        )
    own, storage = source.segment, fields.storage
    shared = {
        name: lookup(message, group, where)
        for name, where in fields.item.items()
        if where.path.segment != own
    }
    per_item = storage.path.segment == own
    group_storage = (
        None if per_item else storage_class(lookup(message, group, storage), storage, storage_codes)
    )
    quantity = fields.item.get("quantity")
    quantity_label = quantity.label if quantity else f"{own}-{source.quantity}"
    schedule = fields.item.get("controlled_schedule")
    schedule_label = schedule.label if schedule else _SCHEDULE
    group_rxe = group.segment("RXE") if own == "RXD" else None
    product_label = f"{own}-{source.product}"
    found = []
    for segment in group.segments(own):
        named = cwe_product(segment, source.product)
        raw = {
            "ndc": named.ndc,
            "description": named.description,
            "quantity": segment.value(source.quantity, 1),
            "unit": segment.value(source.unit, 1),
            "controlled_schedule": _default_schedule(segment if own == "RXE" else group_rxe),
        }
        for name, where in fields.item.items():
            value = shared[name] if name in shared else segment.get(where.path)
            raw[name] = value if name == "quantity" else text(value)
        ndc_where = fields.item["ndc"].label if "ndc" in fields.item else product_label
        if not (raw["ndc"] or named.code or raw["description"]):
            raise InputError(
                f"{product_label} in order group {number} must identify the product: an NDC, "
                "another code or a text",
                location=product_label,
                code=ErrorCode.REQUIRED,
            )
        found.append(
            build(
                Item,
                product_label,
                ndc=checked_ndc(
                    raw["ndc"],
                    ndc_where,
                    code=MappingCode.INVALID_NDC,
                    context=f"order group {number}",
                ),
                description=raw["description"],
                code=named.code,
                system=named.system,
                quantity=_quantity(raw["quantity"], quantity_label, number),
                unit=raw["unit"],
                storage=(
                    storage_class(segment.get(storage.path), storage, storage_codes)
                    if per_item
                    else group_storage
                ),
                controlled_schedule=_schedule(raw["controlled_schedule"], schedule_label, number),
            )
        )
    return found


def _default_schedule(rxe: Segment | None) -> str | None:
    return None if rxe is None else rxe.value(35, 1)


def _schedule(value: str | None, location: str, number: int) -> ControlledSchedule | None:
    try:
        return controlled_schedule(value)
    except ScheduleError as exc:
        raise InputError(
            f"{location} in order group {number}: {exc}",
            location=location,
            code=MappingCode.INVALID_SCHEDULE,
        ) from None


def _quantity(value: str | None, location: str, number: int) -> Decimal:
    text = (value or "").strip()
    if _NUMBER.fullmatch(text) and (quantity := Decimal(text)) > 0:
        return quantity
    raise InputError(
        f"{location} (quantity) in order group {number} must be a number greater than zero",
        location=location,
        code=MappingCode.INVALID_QUANTITY if text else ErrorCode.REQUIRED,
    )
