"""Shippo mapping: request dataclasses built, SDK responses (and errors) read; no network."""

from __future__ import annotations

from decimal import Decimal

import requests
from shippo.models import components, errors

from finalmile.carriers.base import LabelFormat, RefundStatus, TrackingStatus
from finalmile.carriers.errors import RateLimitedError, UncertainOutcomeError
from finalmile.carriers.shippo import mapper
from finalmile.errors import PermanentError
from tests.unit.carriers.drafts import draft


def test_shipment_request_is_synchronous_with_every_extra() -> None:
    request = mapper.shipment_request(
        draft(
            adult_signature=True,
            saturday_delivery=True,
            dry_ice_weight_oz="35.27396195",
            hazmat=["lithium_battery"],
            insured_value="250",
        )
    )
    body = request.to_dict()
    assert body["async"] is False and body["metadata"] == "SYN-1"
    assert (
        body["address_to"]["street1"] == "100 Test Street" and body["address_to"]["zip"] == "01101"
    )
    assert body["parcels"][0] == {
        "mass_unit": "oz",
        "weight": "48.5",
        "distance_unit": "in",
        "height": "8",
        "length": "12",
        "width": "10",
    }
    extra = body["extra"]
    assert extra["signature_confirmation"] == "ADULT" and extra["saturday_delivery"] is True
    assert extra["dry_ice"] == {"contains_dry_ice": True, "weight": "1.000"}  # kilograms
    assert extra["insurance"]["amount"] == "250.00"
    assert extra["dangerous_goods"] == {"contains": True, "lithium_batteries": {"contains": True}}
    assert "dangerous_goods" not in mapper.shipment_request(draft()).to_dict()["extra"]


def test_transaction_request_waits_for_the_label() -> None:
    body = mapper.transaction_request("rate_1", LabelFormat.ZPL, "shp_1").to_dict()
    assert body == {
        "rate": "rate_1",
        "async": False,
        "label_file_type": "ZPLII",
        "metadata": "shp_1",
    }


def _transaction(status: str, **fields: object) -> components.Transaction:
    return components.Transaction(
        object_id="tx_1",
        status=components.TransactionStatusEnum(status),
        tracking_number=fields.get("tracking_number"),
        label_url="http://x/label.pdf",
        label_file_type=components.LabelFileTypeEnum.PDF_4X6,
        rate=components.CoreRate(
            provider="USPS", servicelevel_token="usps_priority", amount="9.10"
        ),
        messages=[components.ResponseMessage(code="ADDRESS_INVALID", text="Jane Doe, 12 Elm St")],
    )


def test_transactions_are_read() -> None:
    bought = mapper.purchase(
        _transaction("SUCCESS", tracking_number="9400T"), provider_shipment_id="shp_1", rate_id="r"
    )
    assert bought is not None
    assert (bought.tracking_number, bought.carrier, bought.service) == (
        "9400T",
        "USPS",
        "usps_priority",
    )
    assert bought.amount == Decimal("9.10") and bought.label_format is LabelFormat.PDF
    queued = _transaction("QUEUED")
    assert not mapper.is_final(queued)
    assert mapper.purchase(queued, provider_shipment_id="shp_1", rate_id="r") is None
    failure = mapper.transaction_failure(_transaction("ERROR"))
    assert "ADDRESS_INVALID" in str(failure) and "Elm" not in str(failure)


def test_track_and_refund_are_read() -> None:
    track = components.Track(
        carrier="usps",
        tracking_number="9400T",
        messages=[],
        tracking_history=[],
        tracking_status=components.TrackingStatus(
            object_created=None,
            object_id="s",
            object_updated=None,  # type: ignore[arg-type]
            status=components.TrackingStatusEnum.TRANSIT,
            status_details="Departed",
        ),
    )
    assert mapper.tracking_report(track).status is TrackingStatus.IN_TRANSIT
    assert (
        mapper.refund_status(components.Refund(status=components.RefundStatus.QUEUED))
        is RefundStatus.SUBMITTED
    )


def _sdk_error(status: int, headers: dict[str, str] | None = None) -> errors.SDKError:
    response = requests.Response()
    response.status_code = status
    response.headers.update(headers or {})
    return errors.SDKError("API error occurred", status, '{"detail": "Jane Doe"}', response)


def test_errors_say_what_to_do() -> None:
    limited = mapper.map_error(_sdk_error(429, {"Retry-After": "7"}), operation="buy")
    assert isinstance(limited, RateLimitedError) and limited.retry_after == 7
    assert isinstance(mapper.map_error(_sdk_error(502), operation="buy"), UncertainOutcomeError)
    refused = mapper.map_error(_sdk_error(400), operation="buy")
    assert type(refused) is PermanentError and "Jane" not in str(refused)
    for raised in (requests.ReadTimeout(), requests.ConnectionError(), KeyError("status")):
        assert isinstance(mapper.map_error(raised, operation="buy"), UncertainOutcomeError)
