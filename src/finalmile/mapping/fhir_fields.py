"""Canonical fields re-pointed to FHIR paths: read for one MedicationDispense and converted.

Each path's root is a resource of the dispense: ``MedicationDispense`` itself, ``Patient`` (its
subject), ``Location`` (its destination), ``Medication`` (its medicationReference) or ``Task``
(the first Task focused on it). A path that selects nothing leaves the field empty. Values get the
default profile's conversions; errors are located at the evaluated path and never quote the value.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import AfterValidator

from finalmile.adapters.fhir import FhirErrorCode
from finalmile.canonical import ControlledSchedule, StorageClass
from finalmile.errors import InputError
from finalmile.mapping.country import to_alpha2
from finalmile.mapping.fhir_paths import FhirPath, compile_path, evaluate
from finalmile.mapping.phone import to_e164
from finalmile.mapping.schedule import ScheduleError, controlled_schedule

if TYPE_CHECKING:
    from finalmile.mapping.fhir_refs import Located

_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
_BOOLEANS = {"true": True, "false": False, "y": True, "n": False}


def _is_fhir_path(text: str) -> str:
    return compile_path(text).text


FhirPathText = Annotated[str, AfterValidator(_is_fhir_path)]
"""A FHIR path of the supported subset (see ``fhir_paths``), checked when the profile loads."""


@dataclass(frozen=True, slots=True)
class Found:
    """A re-pointed field's canonical value and where it was read (or looked for)."""

    value: Any
    location: str


class Roots:
    """The resources one dispense's paths start from, each resolved and turned into JSON at most
    once, when first asked for."""

    def __init__(self, resolvers: Mapping[str, Callable[[], Located | None]]) -> None:
        self._resolvers = resolvers
        self._located: dict[str, Located | None] = {}
        self._json: dict[str, tuple[dict[str, Any], str] | None] = {}

    def located(self, root: str) -> Located | None:
        """The root resource, or None when the dispense has none (e.g. no destination)."""
        if root not in self._located:
            self._located[root] = self._resolvers[root]()
        return self._located[root]

    def get(self, root: str) -> tuple[dict[str, Any], str] | None:
        """The root's JSON and its location, or None when the dispense has no such resource."""
        if root not in self._json:
            found = self.located(root)
            self._json[root] = (
                None if found is None else (found.resource.model_dump(mode="json"), found.path)
            )
        return self._json[root]


def read(
    paths: Mapping[str, FhirPath],
    roots: Roots,
    *,
    timezone: str,
    storage_codes: Mapping[str, StorageClass],
) -> dict[str, Found]:
    """Each re-pointed field (canonical name -> compiled path), converted.

    Raises:
        InputError: a value the field cannot take, at its evaluated path.
    """
    found: dict[str, Found] = {}
    for name, path in paths.items():
        root = roots.get(path.root)
        hit = None if root is None else evaluate(path, *root)
        if hit is None:
            where = path.unresolved(root[1] if root else path.root)
            found[name] = Found(_empty(name), where)
            continue
        value, where = hit
        found[name] = Found(_convert(name, value, where, timezone, storage_codes), where)
    return found


def _empty(name: str) -> Any:
    return {"requires_signature": False}.get(name)


def _convert(
    name: str, value: Any, where: str, timezone: str, codes: Mapping[str, StorageClass]
) -> Any:
    if isinstance(value, dict | list):
        raise InputError(
            f"the path of {name} selects an element, not a value; name one of its values",
            location=where,
            code=FhirErrorCode.INVALID_VALUE,
        )
    if name == "requires_signature":
        flag = value if isinstance(value, bool) else _BOOLEANS.get(str(value).strip().lower())
        if flag is None:
            raise _invalid(f"{name} must be a boolean (true or false)", where)
        return flag
    if name == "item.quantity":
        return _quantity(value, where)
    text = str(value).strip() or None
    if text is None:
        return _empty(name)
    if name == "needed_by":
        return _deadline(text, where, timezone)
    if name == "patient.birth_date":
        return _birth_date(text, where)
    if name == "patient.phone":
        return to_e164(text)
    if name == "ship_to.country":
        return to_alpha2(text)
    if name == "item.storage":
        if text not in codes:
            raise InputError(
                f"unknown storage code; allowed: {', '.join(codes)}",
                location=where,
                code=FhirErrorCode.UNKNOWN_STORAGE_CODE,
            )
        return codes[text]
    if name == "item.controlled_schedule":
        return schedule(text, where)
    return text


def schedule(text: str | None, where: str) -> ControlledSchedule | None:
    """A DEA schedule (``mapping.schedule``), or None.

    Raises:
        InputError: ``invalid_schedule`` at ``where``.
    """
    try:
        return controlled_schedule(text)
    except ScheduleError as exc:
        raise InputError(str(exc), location=where, code=FhirErrorCode.INVALID_SCHEDULE) from None


def _quantity(value: Any, where: str) -> Decimal:
    try:
        quantity = Decimal(str(value).strip())
    except InvalidOperation:
        quantity = Decimal(0)
    if isinstance(value, bool) or not quantity.is_finite() or quantity <= 0:
        raise InputError(
            "the quantity must be a number greater than zero",
            location=where,
            code=FhirErrorCode.INVALID_QUANTITY,
        )
    return quantity


def _deadline(text: str, where: str, timezone: str) -> dt.datetime:
    """A FHIR dateTime; a date alone is 23:59:59 that day, a time without offset is local."""
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=ZoneInfo(timezone))
        if len(text) > 10:
            moment = dt.datetime.fromisoformat(text)
            return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(timezone))
    except ValueError:
        pass
    raise InputError(
        "a needed-by date must be a FHIR dateTime giving at least a day (YYYY-MM-DD)",
        location=where,
        code=FhirErrorCode.INVALID_DATE,
    )


def _birth_date(text: str, where: str) -> dt.date | None:
    """A FHIR date; a year or year-month alone is an unknown birth date (None)."""
    if _DATE.fullmatch(text):
        if len(text) < 10:
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise InputError(
        "a birth date must be a FHIR date (YYYY-MM-DD)",
        location=where,
        code=FhirErrorCode.INVALID_DATE,
    )


def _invalid(message: str, where: str) -> InputError:
    return InputError(message, location=where, code=FhirErrorCode.INVALID_VALUE)
