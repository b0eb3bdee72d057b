"""``application/fhir+json`` bytes to validated FHIR R4 resources (``fhir.resources.R4B`` models).

Accepted: a Bundle of type transaction, batch or collection (FHIR R4 ``Bundle.type``), or a lone
MedicationDispense. Validation errors name the FHIR path that failed (``Bundle.entry[2].resource.
subject``) and never quote the value, which may be patient data.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from itertools import takewhile
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.medicationdispense import MedicationDispense
from fhir.resources.R4B.resource import Resource
from pydantic import ValidationError

from finalmile.adapters.fhir.codes import FhirErrorCode
from finalmile.errors import InputError
from finalmile.jsonlimits import check_depth

BUNDLE_TYPES = ("transaction", "batch", "collection")
_CHOICE = re.compile(r"Expect any of field value from this list (\[.*\])")
_PYDANTIC_CODES = {
    "missing": FhirErrorCode.REQUIRED,
    "model_field_validation.missing": FhirErrorCode.REQUIRED,
    "extra_forbidden": FhirErrorCode.UNKNOWN_ELEMENT,
}


def parse(raw: bytes) -> Bundle | MedicationDispense:
    """A validated Bundle (transaction, batch, collection) or MedicationDispense.

    Raises:
        InputError: not UTF-8 JSON, another resource or Bundle.type, or invalid content.
    """
    check_depth(raw)
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError("the body is not UTF-8", code=FhirErrorCode.INVALID_ENCODING) from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"the body is not JSON (line {exc.lineno}, column {exc.colno})",
            code=FhirErrorCode.INVALID_JSON,
        ) from None
    kind = data.get("resourceType") if isinstance(data, dict) else None
    if kind not in ("Bundle", "MedicationDispense"):
        raise InputError(
            "send a Bundle or a MedicationDispense",
            location="resourceType",
            code=FhirErrorCode.UNSUPPORTED_RESOURCE,
        )
    if kind == "Bundle" and data.get("type") not in BUNDLE_TYPES:
        raise InputError(
            f"Bundle.type must be one of {', '.join(BUNDLE_TYPES)}",
            location="Bundle.type",
            code=FhirErrorCode.UNSUPPORTED_BUNDLE_TYPE,
        )
    resource = validate(data, path=kind)
    assert isinstance(resource, Bundle | MedicationDispense)
    return resource


def validate(data: dict[str, Any], *, path: str) -> Resource:
    """One resource validated by its ``resourceType``; errors are located under ``path``.

    Raises:
        InputError: unknown resource type or content that does not validate.
    """
    try:
        model = get_fhir_model_class(str(data.get("resourceType")))
    except ValueError:
        raise InputError(
            "resourceType is not a FHIR R4 resource",
            location=f"{path}.resourceType",
            code=FhirErrorCode.UNSUPPORTED_RESOURCE,
        ) from None
    check_nested(data, path=path)
    try:
        resource = model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc, path=path) from None
    assert isinstance(resource, Resource)
    return resource


def check_nested(data: Any, *, path: str) -> None:
    """Refuse, at its path, a nested resource the models cannot look up.

    The R4B models pick a nested resource's class by its ``resourceType`` outside pydantic's
    error reporting: a missing, unknown or non-text ``resourceType`` in ``contained``, a Bundle
    entry's ``resource`` or ``response.outcome``, or such an element that is not a JSON object,
    would raise an unlocated ``KeyError``, ``TypeError`` or ``AttributeError``; so would a
    primitive's extension element (``_status``) that is not an object (or a list of objects).
    Text with an unpaired surrogate escape (``"\\ud800"``) is not Unicode and is refused too.

    Raises:
        InputError: at the first such element.
    """
    if isinstance(data, list):
        for index, item in enumerate(data):
            check_nested(item, path=f"{path}[{index}]")
        return
    if isinstance(data, str):
        _unicode(data, path=path)
    if not isinstance(data, dict):
        return
    for key, value in data.items():
        _unicode(key, path=path)
        where = f"{path}.{key}"
        if key == "contained" and isinstance(value, list):
            for index, item in enumerate(value):
                _resource_element(item, path=f"{where}[{index}]")
        elif key in _RESOURCE_ELEMENTS and value is not None:
            _resource_element(value, path=where)
        elif key.startswith("_") and not _primitive_extension(value):
            raise InputError(
                f"{key} must be an object (or a list of objects and nulls)",
                location=where,
                code=FhirErrorCode.INVALID_VALUE,
            )
        check_nested(value, path=where)


_RESOURCE_ELEMENTS = frozenset({"resource", "outcome"})


def _unicode(text: str, *, path: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(
            "the text has an unpaired surrogate escape (\\ud800-\\udfff)",
            location=path,
            code=FhirErrorCode.INVALID_ENCODING,
        ) from None


def _primitive_extension(value: Any) -> bool:
    if isinstance(value, list):
        return all(item is None or isinstance(item, dict) for item in value)
    return value is None or isinstance(value, dict)


def _resource_element(value: Any, *, path: str) -> None:
    if not isinstance(value, dict):
        raise InputError(
            "must be a resource (a JSON object with a resourceType)",
            location=path,
            code=FhirErrorCode.INVALID_VALUE,
        )
    kind = value.get("resourceType")
    if not (isinstance(kind, str) and _known_resource(kind)):
        raise InputError(
            "resourceType is not a FHIR R4 resource",
            location=f"{path}.resourceType",
            code=FhirErrorCode.UNSUPPORTED_RESOURCE,
        )


def _known_resource(kind: str) -> bool:
    try:
        get_fhir_model_class(kind)
    except ValueError:
        return False
    return True


def validation_error(exc: ValidationError, *, path: str) -> InputError:
    """The first pydantic error as an InputError at its FHIR path (no input value quoted)."""
    first = exc.errors(include_url=False, include_input=False)[0]
    message = str(first["msg"]).removeprefix("Value error, ")
    choice = _CHOICE.search(message)
    if choice is not None:  # a missing choice element (value[x]): name it as the spec does
        names = re.findall(r"'(\w+)'", choice.group(1))
        same = takewhile(lambda chars: len(set(chars)) == 1, zip(*names, strict=False))
        stem = "".join(chars[0] for chars in same)
        return InputError(
            f"{stem}[x] is required: give one of {', '.join(names)}",
            location=fhir_path(path, first["loc"]) + f".{stem}[x]",
            code=FhirErrorCode.REQUIRED,
        )
    code = _PYDANTIC_CODES.get(first["type"], FhirErrorCode.INVALID_VALUE)
    if code is FhirErrorCode.INVALID_VALUE and "Date" in message:
        code = FhirErrorCode.INVALID_DATE
    return InputError(message, location=fhir_path(path, first["loc"]), code=code)


def fhir_path(root: str, loc: Sequence[int | str]) -> str:
    """A pydantic ``loc`` under ``root``: ``Bundle`` + ``("entry", 2, "resource")`` is
    ``Bundle.entry[2].resource``."""
    text = root
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text
