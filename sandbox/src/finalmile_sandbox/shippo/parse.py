"""Shippo request bodies -> engine arguments (units, extras); bad input names the field."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from finalmile_sandbox.catalogue import Options
from finalmile_sandbox.engine import AddressFields
from finalmile_sandbox.errors import SandboxError
from finalmile_sandbox.records import LabelFormat

OUNCES_PER = {"oz": 1.0, "lb": 16.0, "g": 1 / 28.349523125, "kg": 35.27396195}
INCHES_PER = {"in": 1.0, "ft": 12.0, "yd": 36.0, "cm": 1 / 2.54, "mm": 1 / 25.4, "m": 39.37007874}
#: Shippo signature_confirmation -> sandbox signature level.
SIGNATURES = {
    "STANDARD": "SIGNATURE",
    "INDIRECT": "SIGNATURE",
    "CERTIFIED": "SIGNATURE",
    "ADULT": "ADULT_SIGNATURE",
    "CARRIER_CONFIRMATION": "NO_SIGNATURE",
}
_ADDRESS_FIELDS = (
    "name", "company", "street1", "street2", "city", "state", "zip", "country", "phone", "email",
    "metadata",
)  # fmt: skip


def invalid(field: str, message: str) -> SandboxError:
    """A 400 naming the field, as Shippo's ``{"field": ["message"]}``."""
    return SandboxError(400, "PARAMETER.INVALID", f"{field}: {message}", [
        {"field": field, "message": message}
    ])  # fmt: skip


def body_object(body: Any) -> dict[str, Any]:
    """The request body as a JSON object."""
    if not isinstance(body, dict):
        raise invalid("body", "must be a JSON object")
    return body


def text(value: Any) -> str | None:
    """A string field; empty is absent."""
    return None if value in (None, "") else str(value)


def _positive(value: Any, field: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise invalid(field, "must be a number") from None
    if number < 0:
        raise invalid(field, "must not be negative")
    return number


def address_fields(data: dict[str, Any]) -> AddressFields:
    """An AddressCreateRequest's fields."""
    if not text(data.get("country")):
        raise invalid("country", "This field is required.")
    values = {name: text(data.get(name)) for name in _ADDRESS_FIELDS}
    residential = data.get("is_residential")
    return AddressFields(
        **values, residential=residential if isinstance(residential, bool) else None
    )


def parcel_dimensions(data: dict[str, Any]) -> dict[str, Any]:
    """A ParcelCreateRequest as engine arguments (inches, ounces) plus the strings as sent."""
    mass_unit = str(data.get("mass_unit", ""))
    distance_unit = str(data.get("distance_unit", ""))
    if mass_unit not in OUNCES_PER:
        raise invalid("mass_unit", "must be one of g, kg, lb, oz")
    if distance_unit not in INCHES_PER:
        raise invalid("distance_unit", "must be one of cm, in, ft, m, mm, yd")
    given = {}
    for name in ("length", "width", "height", "weight"):
        if text(data.get(name)) is None:
            raise invalid(name, "This field is required.")
        given[name] = str(data[name])
    inches, ounces = INCHES_PER[distance_unit], OUNCES_PER[mass_unit]
    return {
        "length": _positive(given["length"], "length") * inches,
        "width": _positive(given["width"], "width") * inches,
        "height": _positive(given["height"], "height") * inches,
        "weight_oz": _positive(given["weight"], "weight") * ounces,
        "distance_unit": distance_unit,
        "mass_unit": mass_unit,
        "given": given,
        "metadata": text(data.get("metadata")),
    }


def extra_options(extra: dict[str, Any]) -> Options:
    """ShipmentExtra -> rating options (dry ice weight is in kilograms in Shippo; dangerous goods
    as ``dangerous_goods.contains``)."""
    signature = SIGNATURES.get(str(extra.get("signature_confirmation") or ""), "NO_SIGNATURE")
    dry_ice = extra.get("dry_ice") or {}
    dry_ice_oz = None
    if isinstance(dry_ice, dict) and dry_ice.get("contains_dry_ice"):
        if text(dry_ice.get("weight")) is None:
            raise invalid("extra.dry_ice.weight", "Mandatory with contains_dry_ice.")
        dry_ice_oz = _positive(dry_ice["weight"], "extra.dry_ice.weight") * OUNCES_PER["kg"]
    goods = extra.get("dangerous_goods")
    if goods is not None and not (
        isinstance(goods, dict) and isinstance(goods.get("contains"), bool)
    ):
        raise invalid("extra.dangerous_goods.contains", "Must be a valid boolean.")
    hazmat = bool(goods and goods["contains"])
    return Options(signature, bool(extra.get("saturday_delivery")), dry_ice_oz, hazmat)


def insurance(extra: dict[str, Any]) -> Decimal | None:
    """The insured amount from ``extra.insurance.amount``."""
    block = extra.get("insurance")
    amount = text(block.get("amount")) if isinstance(block, dict) else None
    if amount is None:
        return None
    try:
        value = Decimal(amount)
    except InvalidOperation:
        raise invalid("extra.insurance.amount", "must be an amount such as 100.00") from None
    if not value.is_finite() or value <= 0:
        raise invalid("extra.insurance.amount", "must be a positive amount")
    return value


def label_format(value: Any) -> LabelFormat:
    """Shippo's label_file_type -> the sandbox format (PDF and PNG sizes all map to their kind)."""
    kind = str(value or "PDF_4x6")
    if kind.startswith("PDF"):
        return LabelFormat.PDF
    if kind.startswith("PNG"):
        return LabelFormat.PNG
    if kind == "ZPLII":
        return LabelFormat.ZPL
    raise invalid("label_file_type", "unsupported label file type")
