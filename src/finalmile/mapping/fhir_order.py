"""FHIR R4 elements read into canonical values: Patient, Address, medication, quantity, deadline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from fhir.resources.R4B.address import Address as FhirAddress
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.patient import Patient as FhirPatient
from fhir.resources.R4B.quantity import Quantity

from finalmile.adapters.fhir import FhirErrorCode
from finalmile.canonical import Address, Patient
from finalmile.errors import InputError
from finalmile.mapping.address import check_deliverable, fold_lines, trimmed
from finalmile.mapping.country import to_alpha2
from finalmile.mapping.fhir_fields import Found
from finalmile.mapping.phone import to_e164
from finalmile.mapping.product import NDC_SYSTEM, Coding, Product
from finalmile.mapping.product import product as product_of

_V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
_PHONE_USES = ("mobile", "home")


def patient(resource: FhirPatient, path: str, fields: Mapping[str, Found]) -> Patient:
    """Patient.identifier (type MR, else the first), name (official, else the first), birthDate,
    telecom (phone: mobile, then home, then any; email: the first); ``fields`` (``{"mrn":
    Found}``) replaces any of them.

    Raises:
        InputError: ``required`` without an MRN.
    """
    identifiers = resource.identifier or []
    mrn = next(
        (
            i
            for i in identifiers
            if any(
                c.system == _V2_0203 and c.code == "MR" for c in (i.type and i.type.coding) or []
            )
        ),
        identifiers[0] if identifiers else None,
    )
    family, given = names(resource)
    phones = [t for t in resource.telecom or [] if t.system == "phone" and t.value]
    phones.sort(key=lambda t: _PHONE_USES.index(t.use) if t.use in _PHONE_USES else 2)
    number = phones[0].value if phones else None
    values: dict[str, Any] = {
        "mrn": mrn.value if mrn else None,
        "family": family,
        "given": given,
        "birth_date": resource.birthDate,
        "phone": to_e164(number) if number else None,
        "email": next((t.value for t in resource.telecom or [] if t.system == "email"), None),
    }
    values.update((name, found.value) for name, found in fields.items())
    if not values["mrn"]:
        where = fields["mrn"].location if "mrn" in fields else f"{path}.identifier"
        raise InputError(
            "the Patient needs an identifier with a value (the MRN)",
            location=where,
            code=FhirErrorCode.REQUIRED,
        )
    return Patient(**values)


def names(resource: FhirPatient) -> tuple[str | None, str | None]:
    """(family, first given) of the first ``official`` HumanName, else of the first name."""
    all_names = resource.name or []
    name = next((n for n in all_names if n.use == "official"), all_names[0] if all_names else None)
    if name is None:
        return None, None
    return name.family, (name.given or [None])[0]


def home_address(resource: FhirPatient) -> tuple[FhirAddress | None, int]:
    """The Patient's ``home`` address, else its first (with its index)."""
    addresses = resource.address or []
    for i, address in enumerate(addresses):
        if address.use == "home":
            return address, i
    return (addresses[0], 0) if addresses else (None, 0)


def address(
    value: FhirAddress | None, path: str, *, name: str | None, fields: Mapping[str, Found]
) -> Address:
    """Address.line (lines 2.. folded into line2), city, state, postalCode, country (default
    US), each trimmed; ``fields`` (``{"line1": Found}``) replaces any of them.

    Raises:
        InputError: ``required`` at the path when there is no address or a part a delivery needs,
            ``undeliverable_address`` when a US ZIP is not of the address's state.
    """
    values: dict[str, Any] = {"name": name}
    if value is not None:
        line1, line2 = fold_lines(value.line or [])
        values |= {
            "line1": line1,
            "line2": line2,
            "city": trimmed(value.city),
            "state": trimmed(value.state),
            "postal_code": trimmed(value.postalCode),
            "country": to_alpha2(value.country),
        }
    values.update(
        (part, trimmed(found.value) if isinstance(found.value, str) else found.value)
        for part, found in fields.items()
    )
    elements = {"line1": "line", "city": "city", "state": "state", "postal_code": "postalCode"}
    where = {
        part: fields[part].location if part in fields else f"{path}.{element}"
        for part, element in elements.items()
    }
    for part in ("line1", "city"):
        if values.get(part):
            continue
        if value is None and part not in fields:
            raise InputError(f"{path} is required", location=path, code=FhirErrorCode.REQUIRED)
        raise InputError(
            f"{where[part]} is required for a delivery",
            location=where[part],
            code=FhirErrorCode.REQUIRED,
        )
    result = Address(**values)
    check_deliverable(
        result,
        where,
        required=FhirErrorCode.REQUIRED,
        undeliverable=FhirErrorCode.UNDELIVERABLE_ADDRESS,
    )
    return result


def product(code: CodeableConcept | None) -> Product:
    """The NDC (the coding of system ``http://hl7.org/fhir/sid/ndc``), the first other coding,
    and CodeableConcept.text, else a coding's display (the NDC's first)."""
    codings = [Coding(c.code, c.display, c.system) for c in (code.coding if code else None) or []]
    codings.sort(key=lambda coding: coding.system != NDC_SYSTEM)  # the NDC's display first
    return product_of(code.text if code else None, codings, is_ndc=frozenset({NDC_SYSTEM}))


def quantity(value: Quantity | None, path: str) -> tuple[Decimal, str | None]:
    """(Quantity.value > 0, Quantity.unit else code).

    Raises:
        InputError: ``required`` without a value, ``invalid_quantity`` when not above zero.
    """
    if value is None or value.value is None:
        raise InputError(
            "the dispensed quantity is required",
            location=f"{path}.value",
            code=FhirErrorCode.REQUIRED,
        )
    if value.value <= 0:
        raise InputError(
            "the dispensed quantity must be greater than zero",
            location=f"{path}.value",
            code=FhirErrorCode.INVALID_QUANTITY,
        )
    return Decimal(value.value), value.unit or value.code


def deadline(value: object, path: str, zone: str) -> dt.datetime:
    """A FHIR dateTime as an aware datetime; a date alone is 23:59:59 that day in ``zone``.

    Raises:
        InputError: ``invalid_date`` for a year or year-month (less precise than a day).
    """
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(23, 59, 59), tzinfo=ZoneInfo(zone))
    raise InputError(
        "a needed-by date must give at least a day (YYYY-MM-DD)",
        location=path,
        code=FhirErrorCode.INVALID_DATE,
    )
