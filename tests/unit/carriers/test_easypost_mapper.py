"""EasyPost mapping: requests built, answers (and errors) read; no network."""

from __future__ import annotations

import json
from decimal import Decimal

from easypost.errors.api.internal_server_error import InternalServerError
from easypost.errors.api.invalid_request_error import InvalidRequestError
from easypost.errors.api.rate_limit_error import RateLimitError
from easypost.errors.api.timeout_error import TimeoutError as EasyPostTimeoutError

from finalmile.carriers.base import LabelFormat, RefundStatus, ShipmentOptions, TrackingStatus
from finalmile.carriers.easypost import mapper
from finalmile.carriers.easypost.tracking import tracker_report
from finalmile.carriers.errors import AlreadyPurchasedError, RateLimitedError, UncertainOutcomeError
from finalmile.errors import PermanentError
from tests.unit.carriers.drafts import draft


def test_shipment_params_carry_addresses_parcel_and_every_option() -> None:
    params = mapper.shipment_params(
        draft(
            adult_signature=True,
            saturday_delivery=True,
            dry_ice_weight_oz="32",
            hazmat=["limited_quantity", "flammable"],
            label_format="ZPL",
        ),
        ("ca_1",),
    )
    assert params["reference"] == "SYN-1"
    assert params["to_address"] == {
        "street1": "100 Test Street",
        "street2": "Apt 1",
        "city": "Springfield",
        "state": "MA",
        "zip": "01101",
        "country": "US",
        "name": "Alex Testpatient",
    }
    assert params["parcel"] == {"length": 12, "width": 10, "height": 8, "weight": 48.5}
    assert params["options"] == {
        "label_format": "ZPL",
        "delivery_confirmation": "ADULT_SIGNATURE",
        "saturday_delivery": True,
        "dry_ice": True,
        "dry_ice_weight": 32,
        "dry_ice_medical": True,
        "hazmat": "LIMITED_QUANTITY",
    }
    assert params["carrier_accounts"] == ["ca_1"]


def test_lithium_batteries_alone_are_declared_as_lithium() -> None:
    params = mapper.shipment_params(draft(hazmat=["lithium_battery"]))
    assert params["options"] == {"label_format": "PDF", "hazmat": "LITHIUM"}
    assert "hazmat" not in mapper.shipment_params(draft())["options"]


def test_buy_params_name_the_rate_and_insurance() -> None:
    options = ShipmentOptions(insured_value=Decimal(250))
    assert mapper.buy_params("rate_1", options) == {"rate": {"id": "rate_1"}, "insurance": "250.00"}
    assert mapper.buy_params("rate_1", ShipmentOptions()) == {"rate": {"id": "rate_1"}}


SHIPMENT = {
    "id": "shp_1",
    "options": {"label_format": "PDF"},
    "rates": [
        {
            "id": "rate_1",
            "carrier": "USPS",
            "service": "Priority",
            "rate": "9.10",
            "currency": "USD",
            "delivery_days": 2,
            "delivery_date": "2026-11-24T17:00:00Z",
        },
        {
            "id": "rate_2",
            "carrier": "UPS",
            "service": "Ground",
            "rate": "12.00",
            "currency": "USD",
            "delivery_days": None,
            "est_delivery_days": 4,
        },
    ],
    "postage_label": None,
    "tracking_code": None,
}


def test_rates_are_read() -> None:
    rated = mapper.rated(SHIPMENT)
    assert rated.provider_shipment_id == "shp_1"
    first, second = rated.quotes
    assert (first.service_code, first.amount, first.delivery_days) == (
        "USPS:Priority",
        Decimal("9.10"),
        2,
    )
    assert first.delivery_date is not None and first.delivery_date.tzinfo is not None
    assert second.delivery_days == 4


def test_purchase_is_read_only_when_postage_exists() -> None:
    assert mapper.purchase(SHIPMENT) is None
    bought = {
        **SHIPMENT,
        "tracking_code": "9400TEST",
        "selected_rate": SHIPMENT["rates"][0],  # type: ignore[index]
        "postage_label": {
            "id": "pl_1",
            "label_url": "http://x/l.png",
            "label_pdf_url": "http://x/l.pdf",
            "label_file_type": "image/png",
        },
        "tracker": {"id": "trk_1", "public_url": "http://x/t"},
    }
    purchase = mapper.purchase(bought)
    assert purchase is not None
    assert (purchase.tracking_number, purchase.rate_id, purchase.tracker_id) == (
        "9400TEST",
        "rate_1",
        "trk_1",
    )
    assert purchase.label_format is LabelFormat.PDF and purchase.label_url == "http://x/l.pdf"


def test_tracker_and_refund_are_read() -> None:
    info = tracker_report(
        {
            "id": "trk_1",
            "tracking_code": "9400TEST",
            "status": "out_for_delivery",
            "tracking_details": [
                {
                    "datetime": "2026-11-23T08:00:00Z",
                    "status": "in_transit",
                    "message": "Departed",
                    "tracking_location": {"city": "BOSTON", "state": "MA"},
                }
            ],
        }
    )
    assert info.status is TrackingStatus.OUT_FOR_DELIVERY
    assert info.scans[0].location == "BOSTON, MA"
    assert mapper.refund_status({"refund_status": "submitted"}) is RefundStatus.SUBMITTED
    assert mapper.refund_status({"refund_status": "rejected"}) is RefundStatus.REJECTED


def _body(code: str, message: str = "Jane Doe, 12 Elm St is wrong") -> str:
    return json.dumps({"error": {"code": code, "message": message, "errors": []}})


def test_errors_say_what_to_do_and_never_quote_the_body() -> None:
    exists = InvalidRequestError("x", http_status=422, http_body=_body("SHIPMENT.POSTAGE.EXISTS"))
    assert isinstance(mapper.map_error(exists, operation="buy"), AlreadyPurchasedError)
    invalid = mapper.map_error(
        InvalidRequestError("x", http_status=422, http_body=_body("ADDRESS.VERIFY.FAILURE")),
        operation="buy",
    )
    assert type(invalid) is PermanentError and "ADDRESS.VERIFY.FAILURE" in str(invalid)
    assert "Jane" not in str(invalid) and "Elm" not in str(invalid)
    limited = mapper.map_error(RateLimitError("x", http_status=429), operation="buy", retry_after=3)
    assert isinstance(limited, RateLimitedError) and limited.retry_after == 3
    for uncertain in (EasyPostTimeoutError("t"), InternalServerError("x", http_status=500)):
        assert isinstance(mapper.map_error(uncertain, operation="buy"), UncertainOutcomeError)


def test_address_verification_result() -> None:
    failed = mapper.address_check(
        {
            "verifications": {
                "delivery": {
                    "success": False,
                    "errors": [{"code": "E.ADDRESS.NOT_FOUND", "field": "address"}],
                }
            }
        }
    )
    assert not failed.deliverable and failed.problems == ("E.ADDRESS.NOT_FOUND (address)",)
