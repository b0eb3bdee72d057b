"""Pure Shippo mapping: canonical values <-> the SDK's request/response dataclasses, errors -> ours.

The SDK's responses are strict dataclasses with closed enums and one expected status code per
operation, so an answer the SDK cannot read (a new enum value, a missing field) is an unreadable
answer, not a refusal: for a purchase its outcome is unknown.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from typing import Any

import requests
from shippo.models import components, errors

from finalmile.canonical import Address
from finalmile.carriers.base import (
    AddressCheck,
    LabelFormat,
    Purchase,
    Quote,
    Rated,
    RefundStatus,
    ShipmentDraft,
    TrackingReport,
)
from finalmile.carriers.errors import RateLimitedError, UncertainOutcomeError
from finalmile.carriers.shippo.tracking import track_report
from finalmile.errors import PermanentError, RetriableError
from finalmile.items import HazmatFlag

OUNCES_PER_KILOGRAM = Decimal("35.27396195")
#: Exceptions the SDK raises when it cannot read a response into its dataclasses.
UNREADABLE = (AttributeError, KeyError, ValueError, TypeError)

_LABEL_FILE_TYPE = {
    LabelFormat.PDF: components.LabelFileTypeEnum.PDF_4X6,
    LabelFormat.ZPL: components.LabelFileTypeEnum.ZPLII,
    LabelFormat.PNG: components.LabelFileTypeEnum.PNG,
}
#: Transaction states after which nothing changes without a new request.
FINAL_TRANSACTION_STATES = frozenset({"SUCCESS", "ERROR", "REFUNDED", "REFUNDREJECTED"})


def address_request(address: Address, *, default_name: str) -> Any:
    """A Shippo ``AddressCreateRequest`` (Shippo requires a name on both ends)."""
    return components.AddressCreateRequest(
        country=address.country,
        name=address.name or default_name,
        street1=address.line1,
        street2=address.line2,
        city=address.city,
        state=address.state,
        zip=address.postal_code,
    )


def dangerous_goods(flags: tuple[HazmatFlag, ...]) -> Any:
    """``extra.dangerous_goods`` for the item master's hazmat flags; None when there are none."""
    if not flags:
        return None
    lithium = HazmatFlag.LITHIUM_BATTERY in flags
    return components.DangerousGoodsObject(
        contains=True,
        lithium_batteries=(
            components.DangerousGoodsLithiumBatteries(contains=True) if lithium else None
        ),
    )


def shipment_request(draft: ShipmentDraft) -> Any:
    """The body of ``POST /shipments``, rated synchronously (``async=false``)."""
    parcel = draft.parcel
    options = draft.options
    extra = components.ShipmentExtra(
        signature_confirmation=(
            components.SignatureConfirmation.ADULT if options.adult_signature else None
        ),
        saturday_delivery=True if options.saturday_delivery else None,
        dry_ice=(
            components.DryIce(
                contains_dry_ice=True,
                weight=_text(options.dry_ice_weight_oz / OUNCES_PER_KILOGRAM, places=3),
            )
            if options.dry_ice_weight_oz is not None
            else None
        ),
        dangerous_goods=dangerous_goods(options.hazmat),
        insurance=(
            components.Insurance(
                amount=_text(options.insured_value, places=2), currency="USD", content="Medication"
            )
            if options.insured_value is not None
            else None
        ),
        reference_1=draft.order.order_id,
    )
    return components.ShipmentCreateRequest(
        address_from=address_request(draft.ship_from, default_name="Pharmacy"),
        address_to=address_request(draft.order.ship_to, default_name="Patient"),
        parcels=[
            components.ParcelCreateRequest(
                mass_unit=components.WeightUnitEnum.OZ,
                weight=_text(parcel.weight_oz),
                distance_unit=components.DistanceUnitEnum.IN,
                height=_text(parcel.height_in),
                length=_text(parcel.length_in),
                width=_text(parcel.width_in),
            )
        ],
        extra=extra,
        metadata=draft.order.order_id,
        async_=False,
    )


def transaction_request(rate_id: str, label_format: LabelFormat, reference: str | None) -> Any:
    """The body of ``POST /transactions``: buy ``rate_id``, waiting for the label (no async)."""
    return components.TransactionCreateRequest(
        rate=rate_id,
        async_=False,
        label_file_type=_LABEL_FILE_TYPE[label_format],
        metadata=reference,
    )


def rated(shipment: Any) -> Rated:
    """The Shippo shipment id and its rates."""
    return Rated(
        provider_shipment_id=str(shipment.object_id),
        quotes=tuple(quote(rate) for rate in shipment.rates or ()),
    )


def quote(rate: Any) -> Quote:
    """One Shippo rate; the service is the service-level token (``usps_priority``)."""
    level = rate.servicelevel
    return Quote(
        rate_id=str(rate.object_id),
        carrier=str(rate.provider),
        service=str(level.token or level.name or ""),
        amount=_decimal(rate.amount) or Decimal(0),
        currency=str(rate.currency or "USD"),
        delivery_days=rate.estimated_days,
        delivery_date=_datetime(rate.arrives_by)
        if rate.arrives_by and "T" in rate.arrives_by
        else None,
    )


def purchase(transaction: Any, *, provider_shipment_id: str, rate_id: str) -> Purchase | None:
    """The label of a successful transaction; None while queued or when it failed."""
    if _value(transaction.status) != "SUCCESS" or not transaction.tracking_number:
        return None
    rate = transaction.rate
    carrier = service = ""
    if isinstance(rate, components.CoreRate):
        carrier = rate.provider or ""
        service = rate.servicelevel_token or rate.servicelevel_name or ""
    return Purchase(
        provider_shipment_id=provider_shipment_id,
        rate_id=rate_id,
        transaction_id=transaction.object_id,
        tracking_number=str(transaction.tracking_number),
        carrier=carrier,
        service=service,
        amount=_decimal(rate.amount) if isinstance(rate, components.CoreRate) else None,
        label_url=transaction.label_url,
        label_format=_label_format(transaction.label_file_type),
        tracking_url=transaction.tracking_url_provider,
    )


def transaction_failure(transaction: Any) -> PermanentError:
    """Why a transaction ended in ERROR: its message codes, never its text (may hold PHI)."""
    codes = sorted({str(m.code) for m in transaction.messages or () if m.code}) or ["unknown"]
    return PermanentError(f"shippo transaction failed: {', '.join(codes)}")


def is_final(transaction: Any) -> bool:
    """Whether the transaction has left QUEUED/WAITING."""
    return _value(transaction.status) in FINAL_TRANSACTION_STATES


def refund_status(refund: Any) -> RefundStatus:
    """What Shippo answered to a refund request."""
    status = _value(refund.status)
    if status == "SUCCESS":
        return RefundStatus.REFUNDED
    if status == "ERROR":
        return RefundStatus.REJECTED
    return RefundStatus.SUBMITTED


def tracking_report(track: Any) -> TrackingReport:
    """A Shippo track, read as the JSON a ``track_updated`` webhook carries."""
    return track_report(json.loads(track.to_json()))


def address_check(address: Any) -> AddressCheck:
    """The validation results of an address created with ``validate``."""
    results = address.validation_results
    valid = bool(results and results.is_valid)
    problems = tuple(
        str(_value(m.code) or "invalid") for m in (results.messages if results else None) or ()
    )
    return AddressCheck(deliverable=valid, problems=() if valid else problems)


def map_error(exc: Exception, *, operation: str) -> RetriableError | PermanentError:
    """Our error for what the SDK raised. Bodies are never quoted (they can hold an address)."""
    where = f"shippo {operation}"
    if isinstance(exc, errors.SDKError):
        status = exc.status_code
        if status == 429:
            headers = exc.raw_response.headers if exc.raw_response is not None else {}
            return RateLimitedError(
                f"{where}: rate limited (429)", retry_after=_seconds(headers.get("Retry-After"))
            )
        if status >= 500 or 200 <= status < 300:
            # 2xx here means a status the SDK did not expect (one per operation): unreadable.
            return UncertainOutcomeError(f"{where}: HTTP {status}, outcome unknown")
        return PermanentError(f"{where}: HTTP {status}")
    if isinstance(exc, (requests.RequestException, *UNREADABLE)):
        return UncertainOutcomeError(f"{where}: {type(exc).__name__}, outcome unknown")
    return PermanentError(f"{where}: {type(exc).__name__}")


def _value(value: Any) -> str:
    return str(getattr(value, "value", value) or "")


def _label_format(value: Any) -> LabelFormat:
    text = _value(value).upper()
    if text.startswith("ZPL"):
        return LabelFormat.ZPL
    if text.startswith("PNG"):
        return LabelFormat.PNG
    return LabelFormat.PDF


def _text(value: Decimal, places: int | None = None) -> str:
    if places is not None:
        return f"{value:.{places}f}"
    return format(value.normalize(), "f")


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def _datetime(value: str) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _seconds(value: Any) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
