"""EasyPost v2 request bodies -> engine arguments; bad input is a 422 naming the field."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from finalmile_sandbox.catalogue import Options
from finalmile_sandbox.engine import AddressFields
from finalmile_sandbox.errors import SandboxError
from finalmile_sandbox.records import LabelFormat

_ADDRESS_FIELDS = (
    "name", "company", "street1", "street2", "city", "state", "zip", "country", "phone", "email",
)  # fmt: skip


#: The values of EasyPost's ``options.hazmat``.
HAZMAT_VALUES = (
    "PRIMARY_CONTAINED",
    "PRIMARY_PACKED",
    "PRIMARY",
    "SECONDARY_CONTAINED",
    "SECONDARY_PACKED",
    "SECONDARY",
    "ORMD",
    "LIMITED_QUANTITY",
    "LITHIUM",
)


def invalid(field: str, message: str, code: str = "PARAMETER.INVALID") -> SandboxError:
    """A 422 naming the offending field."""
    return SandboxError(422, code, f"{field}: {message}", [{"field": field, "message": message}])


def obj(body: Any, field: str) -> dict[str, Any]:
    """``body[field]`` as a JSON object."""
    value = body.get(field) if isinstance(body, dict) else None
    if not isinstance(value, dict):
        raise invalid(field, "is required and must be an object", "PARAMETER.REQUIRED")
    return value


def text(value: Any) -> str | None:
    """A string field, with numbers accepted the way EasyPost accepts them."""
    if value is None or value == "":
        return None
    return str(value)


def number(value: Any, field: str) -> float:
    """A positive-or-zero number given as a number or a numeric string."""
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise invalid(field, "must be a number") from None
    if result < 0:
        raise invalid(field, "must not be negative")
    return result


def money(value: Any, field: str) -> Decimal:
    """A USD amount such as ``"100.00"``."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise invalid(field, "must be an amount such as 100.00") from None
    if not amount.is_finite() or amount <= 0:
        raise invalid(field, "must be a positive amount")
    return amount


def address_fields(data: dict[str, Any]) -> AddressFields:
    """An Address object's fields."""
    values = {name: text(data.get(name)) for name in _ADDRESS_FIELDS}
    residential = data.get("residential")
    return AddressFields(
        **values, residential=residential if isinstance(residential, bool) else None
    )


def wants_verification(body: dict[str, Any]) -> tuple[bool, bool]:
    """(verify, strict) from ``verify`` / ``verify_strict``: true or a list (``["delivery"]``)."""
    return bool(body.get("verify")), bool(body.get("verify_strict"))


def options(data: dict[str, Any]) -> tuple[Options, LabelFormat]:
    """Shipment options that shape rates, and the label format."""
    signature = text(data.get("delivery_confirmation")) or "NO_SIGNATURE"
    saturday = data.get("saturday_delivery") in (True, "true", "1", 1)
    dry_ice_weight: float | None = None
    if data.get("dry_ice") in (True, "true", "1", 1):
        if data.get("dry_ice_weight") in (None, ""):
            raise invalid("options.dry_ice_weight", "is required with dry_ice")
        dry_ice_weight = number(data["dry_ice_weight"], "options.dry_ice_weight")
    if data.get("dry_ice_medical") not in (None, True, False, "true", "false"):
        raise invalid("options.dry_ice_medical", "must be true or false")
    hazmat = text(data.get("hazmat"))
    if hazmat is not None and hazmat.upper() not in HAZMAT_VALUES:
        raise invalid("options.hazmat", "must be one of " + ", ".join(HAZMAT_VALUES))
    label = (text(data.get("label_format")) or "PDF").upper()
    try:
        label_format = LabelFormat(label)
    except ValueError:
        raise invalid("options.label_format", "must be PDF, ZPL or PNG") from None
    return Options(signature.upper(), saturday, dry_ice_weight, hazmat is not None), label_format
