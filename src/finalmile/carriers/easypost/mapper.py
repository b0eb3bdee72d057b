"""Pure EasyPost mapping: canonical values <-> EasyPost v2 JSON, EasyPost errors -> ours.

EasyPost units are inches and ounces, like ``Parcel``. The SDK returns ``EasyPostObject``s; the
carrier hands their ``to_dict()`` form here, so everything below is plain data and testable
without a network.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from easypost.errors.api.api_error import ApiError
from easypost.errors.api.http_error import HttpError
from easypost.errors.api.json_error import JsonError
from easypost.errors.api.rate_limit_error import RateLimitError
from easypost.errors.api.timeout_error import TimeoutError as EasyPostTimeoutError
from easypost.errors.general.easypost_error import EasyPostError

from finalmile.canonical import Address
from finalmile.carriers.base import (
    AddressCheck,
    LabelFormat,
    Purchase,
    Quote,
    Rated,
    RefundStatus,
    ShipmentDraft,
    ShipmentOptions,
)
from finalmile.carriers.errors import (
    AlreadyPurchasedError,
    RateLimitedError,
    UncertainOutcomeError,
)
from finalmile.errors import PermanentError, RetriableError
from finalmile.items import HazmatFlag

POSTAGE_EXISTS = "SHIPMENT.POSTAGE.EXISTS"

_LABEL_URL_KEY = {
    LabelFormat.PDF: "label_pdf_url",
    LabelFormat.ZPL: "label_zpl_url",
    LabelFormat.PNG: "label_url",
}


def address_params(address: Address) -> dict[str, Any]:
    """An EasyPost address object for ``address``."""
    params: dict[str, Any] = {
        "street1": address.line1,
        "city": address.city,
        "country": address.country,
    }
    optional = {
        "name": address.name,
        "street2": address.line2,
        "state": address.state,
        "zip": address.postal_code,
    }
    params.update({k: v for k, v in optional.items() if v is not None})
    return params


def shipment_params(draft: ShipmentDraft, carrier_accounts: tuple[str, ...] = ()) -> dict[str, Any]:
    """The body of ``POST /shipments`` (the SDK wraps it in ``shipment``)."""
    parcel = draft.parcel
    options: dict[str, Any] = {"label_format": draft.options.label_format.value}
    if draft.options.adult_signature:
        options["delivery_confirmation"] = "ADULT_SIGNATURE"
    if draft.options.saturday_delivery:
        options["saturday_delivery"] = True
    if draft.options.dry_ice_weight_oz is not None:
        options["dry_ice"] = True
        options["dry_ice_weight"] = _number(draft.options.dry_ice_weight_oz)
        options["dry_ice_medical"] = True  # dry ice keeping medication cold
    if draft.options.hazmat:
        options["hazmat"] = hazmat_option(draft.options.hazmat)
    params: dict[str, Any] = {
        "reference": draft.order.order_id,
        "to_address": address_params(draft.order.ship_to),
        "from_address": address_params(draft.ship_from),
        "parcel": {
            "length": _number(parcel.length_in),
            "width": _number(parcel.width_in),
            "height": _number(parcel.height_in),
            "weight": _number(parcel.weight_oz),
        },
        "options": options,
    }
    if carrier_accounts:
        params["carrier_accounts"] = list(carrier_accounts)
    return params


def hazmat_option(flags: tuple[HazmatFlag, ...]) -> str:
    """EasyPost's one ``hazmat`` value for the item master's flags: ``LITHIUM`` for lithium
    batteries alone, else ``LIMITED_QUANTITY`` (small quantities of consumer medication)."""
    return "LITHIUM" if set(flags) == {HazmatFlag.LITHIUM_BATTERY} else "LIMITED_QUANTITY"


def buy_params(rate_id: str, options: ShipmentOptions) -> dict[str, Any]:
    """The body of ``POST /shipments/{id}/buy``."""
    params: dict[str, Any] = {"rate": {"id": rate_id}}
    if options.insured_value is not None:
        params["insurance"] = f"{options.insured_value:.2f}"
    return params


def rated(shipment: Mapping[str, Any]) -> Rated:
    """The provider shipment id and its rates."""
    return Rated(
        provider_shipment_id=str(shipment["id"]),
        quotes=tuple(quote(rate) for rate in shipment.get("rates") or ()),
    )


def quote(rate: Mapping[str, Any]) -> Quote:
    """One EasyPost rate."""
    return Quote(
        rate_id=str(rate["id"]),
        carrier=str(rate["carrier"]),
        service=str(rate["service"]),
        amount=_decimal(rate.get("rate")) or Decimal(0),
        currency=str(rate.get("currency") or "USD"),
        delivery_days=rate.get("delivery_days") or rate.get("est_delivery_days"),
        delivery_date=_datetime(rate.get("delivery_date")),
    )


def purchase(shipment: Mapping[str, Any]) -> Purchase | None:
    """The bought label of a shipment, or None when it has no postage yet."""
    label = shipment.get("postage_label")
    selected = shipment.get("selected_rate")
    tracking = shipment.get("tracking_code")
    if not label or not selected or not tracking:
        return None
    label_format = _label_format(label.get("label_file_type"), shipment.get("options") or {})
    tracker = shipment.get("tracker") or {}
    return Purchase(
        provider_shipment_id=str(shipment["id"]),
        rate_id=str(selected["id"]),
        transaction_id=label.get("id"),
        tracking_number=str(tracking),
        carrier=str(selected.get("carrier") or ""),
        service=str(selected.get("service") or ""),
        amount=_decimal(selected.get("rate")),
        currency=str(selected.get("currency") or "USD"),
        label_url=label.get(_LABEL_URL_KEY[label_format]) or label.get("label_url"),
        label_format=label_format,
        tracker_id=tracker.get("id"),
        tracking_url=tracker.get("public_url"),
    )


def refund_status(shipment: Mapping[str, Any]) -> RefundStatus:
    """What EasyPost answered to a refund request."""
    value = shipment.get("refund_status")
    if value == "refunded":
        return RefundStatus.REFUNDED
    if value in {"rejected", "not_applicable"}:
        return RefundStatus.REJECTED
    return RefundStatus.SUBMITTED


def address_check(address: Mapping[str, Any]) -> AddressCheck:
    """The delivery verification of an address created with ``verify``."""
    delivery = (address.get("verifications") or {}).get("delivery") or {}
    problems = tuple(
        f"{e.get('code', 'invalid')}" + (f" ({e['field']})" if e.get("field") else "")
        for e in delivery.get("errors") or ()
    )
    success = bool(delivery.get("success"))
    suggested = None
    if success and address.get("street1") and address.get("city"):
        suggested = Address(
            name=address.get("name"),
            line1=str(address["street1"]),
            line2=address.get("street2") or None,
            city=str(address["city"]),
            state=address.get("state"),
            postal_code=address.get("zip"),
            country=str(address.get("country") or "US"),
        )
    return AddressCheck(deliverable=success, problems=problems, suggested=suggested)


def map_error(
    exc: EasyPostError, *, operation: str, retry_after: float | None = None
) -> RetriableError | PermanentError:
    """Our error for an SDK error. Bodies are never quoted: they can hold the patient's address.

    The SDK raises ``TimeoutError`` even when the request reached EasyPost and took effect, and
    ``HttpError`` for any connection failure (it re-sends a POST only on a refused connection),
    so both are uncertain outcomes, as is a 5xx or an unreadable body.
    """
    where = f"easypost {operation}"
    if isinstance(exc, RateLimitError):
        return RateLimitedError(f"{where}: rate limited (429)", retry_after=retry_after)
    if isinstance(exc, EasyPostTimeoutError | HttpError | JsonError):
        return UncertainOutcomeError(f"{where}: {type(exc).__name__}, outcome unknown")
    if isinstance(exc, ApiError):
        status = exc.http_status or 0
        code = exc.code or "unknown"
        if code == POSTAGE_EXISTS:
            return AlreadyPurchasedError(f"{where}: {code}")
        if status >= 500 or status == 0:
            return UncertainOutcomeError(f"{where}: HTTP {status} {code}, outcome unknown")
        return PermanentError(f"{where}: HTTP {status} {code}")
    return PermanentError(f"{where}: {type(exc).__name__}")


def _label_format(file_type: str | None, options: Mapping[str, Any]) -> LabelFormat:
    requested = str(options.get("label_format") or "").upper()
    if requested in LabelFormat.__members__:
        return LabelFormat(requested)
    kind = (file_type or "").lower()
    if "pdf" in kind:
        return LabelFormat.PDF
    if "zpl" in kind:
        return LabelFormat.ZPL
    return LabelFormat.PNG


def _number(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _datetime(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
