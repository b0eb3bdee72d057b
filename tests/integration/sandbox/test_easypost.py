"""The EasyPost SDK, unmodified, against the sandbox: addresses, rates, labels, trackers."""

from __future__ import annotations

import datetime as dt
import zlib
from decimal import Decimal

import easypost
import pytest
import requests
from easypost.errors import InvalidRequestError, NotFoundError, UnauthorizedError

from finalmile_sandbox.records import Api
from finalmile_sandbox.server import SandboxServer
from finalmile_sandbox.tracking import Outcome
from tests.integration.sandbox.conftest import BOSTON, CAMBRIDGE, LOS_ANGELES, PARCEL


def _shipment(client: easypost.EasyPostClient, to: dict[str, str] = CAMBRIDGE, **options: object):
    return client.shipment.create(
        from_address=BOSTON, to_address=to, parcel=PARCEL, options=dict(options)
    )


def _rate(shipment: object, carrier: str, service: str):
    return next(r for r in shipment.rates if r.carrier == carrier and r.service == service)


# -- addresses -----------------------------------------------------------------------------------


def test_verified_address_is_normalised_with_zip4(easypost_client: easypost.EasyPostClient) -> None:
    address = easypost_client.address.create(verify=True, **CAMBRIDGE)

    assert address.id.startswith("adr_")
    assert address.verifications.delivery.success is True
    assert address.verifications.zip4.success is True
    assert address.zip.startswith("02139-") and len(address.zip) == 10
    assert address.city == "CAMBRIDGE"
    assert address.street1 == "12 ELM ST"
    assert address.verifications.delivery.details.time_zone == "America/New_York"


def test_unknown_zip_fails_verification_with_errors(
    easypost_client: easypost.EasyPostClient,
) -> None:
    address = easypost_client.address.create(verify=["delivery"], **{**CAMBRIDGE, "zip": "00001"})

    assert address.verifications.delivery.success is False
    codes = {error.code for error in address.verifications.delivery.errors}
    assert codes == {"E.ZIP.NOT_FOUND", "E.ADDRESS.NOT_FOUND"}
    assert address.zip == "00001"  # kept as sent


def test_create_and_verify_refuses_a_bad_address(easypost_client: easypost.EasyPostClient) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        easypost_client.address.create_and_verify(**{**CAMBRIDGE, "street1": "Elm St"})

    assert caught.value.http_status == 422
    assert caught.value.code == "ADDRESS.VERIFY.FAILURE"
    assert caught.value.errors[0]["code"] == "E.HOUSE_NUMBER.MISSING"
    assert caught.value.errors[0]["field"] == "street1"


def test_verify_strict_refuses_instead_of_storing_errors(
    easypost_client: easypost.EasyPostClient,
) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        easypost_client.address.create(verify_strict=True, **{**CAMBRIDGE, "zip": "00001"})

    assert caught.value.code == "ADDRESS.VERIFY.FAILURE"
    assert {e["code"] for e in caught.value.errors} == {"E.ZIP.NOT_FOUND", "E.ADDRESS.NOT_FOUND"}


def test_verify_a_stored_address(easypost_client: easypost.EasyPostClient) -> None:
    stored = easypost_client.address.create(**CAMBRIDGE)

    verified = easypost_client.address.verify(stored.id)

    assert verified.id == stored.id
    assert verified.verifications.delivery.success is True


def test_state_that_does_not_match_the_zip_fails(easypost_client: easypost.EasyPostClient) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        easypost_client.address.create_and_verify(**{**CAMBRIDGE, "state": "CA"})

    assert [e["field"] for e in caught.value.errors] == ["state"]


# -- rates ---------------------------------------------------------------------------------------


def test_rates_cover_every_service_and_are_deterministic(
    easypost_client: easypost.EasyPostClient,
) -> None:
    first, second = _shipment(easypost_client), _shipment(easypost_client)

    assert len(first.rates) == 11
    assert {(r.carrier, r.service) for r in first.rates} >= {
        ("USPS", "GroundAdvantage"),
        ("USPS", "Priority"),
        ("USPS", "Express"),
        ("UPS", "Ground"),
        ("UPS", "2ndDayAir"),
        ("UPS", "NextDayAir"),
        ("UPS", "NextDayAirSaver"),
        ("FedEx", "FEDEX_GROUND"),
        ("FedEx", "FEDEX_2_DAY"),
        ("FedEx", "STANDARD_OVERNIGHT"),
        ("FedEx", "PRIORITY_OVERNIGHT"),
    }
    key = lambda r: (r.carrier, r.service, r.rate, r.delivery_date)  # noqa: E731
    assert sorted(map(key, first.rates)) == sorted(map(key, second.rates))
    assert all(r.shipment_id == first.id for r in first.rates)


def test_distance_raises_price_and_transit(easypost_client: easypost.EasyPostClient) -> None:
    near, far = _shipment(easypost_client), _shipment(easypost_client, to=LOS_ANGELES)

    near_ground, far_ground = _rate(near, "UPS", "Ground"), _rate(far, "UPS", "Ground")
    assert Decimal(far_ground.rate) > Decimal(near_ground.rate)
    assert (near_ground.delivery_days, far_ground.delivery_days) == (1, 5)
    assert far.usps_zone == 8 and near.usps_zone == 1


def test_saturday_delivery_only_where_the_service_and_options_allow(
    easypost_client: easypost.EasyPostClient,
) -> None:
    # Shipped Friday 20 November: next-day services land on Saturday 21 or Monday 23.
    plain = _shipment(easypost_client)
    saturday = _shipment(easypost_client, saturday_delivery=True)

    date = lambda s, c, v: _rate(s, c, v).delivery_date[:10]  # noqa: E731
    assert date(plain, "USPS", "Priority") == "2026-11-21"  # USPS delivers Saturdays
    assert date(plain, "UPS", "NextDayAir") == "2026-11-23"
    assert date(saturday, "UPS", "NextDayAir") == "2026-11-21"
    assert date(saturday, "UPS", "NextDayAirSaver") == "2026-11-23"  # never on Saturday
    assert date(saturday, "FedEx", "PRIORITY_OVERNIGHT") == "2026-11-21"
    surcharge = Decimal(_rate(saturday, "UPS", "NextDayAir").rate) - Decimal(
        _rate(plain, "UPS", "NextDayAir").rate
    )
    assert surcharge == Decimal("16.00")


def test_adult_signature_and_dry_ice_surcharges(easypost_client: easypost.EasyPostClient) -> None:
    plain = _shipment(easypost_client)
    adult = _shipment(easypost_client, delivery_confirmation="ADULT_SIGNATURE")
    iced = _shipment(easypost_client, dry_ice=True, dry_ice_weight=32)
    heavy_ice = _shipment(easypost_client, dry_ice=True, dry_ice_weight=96)

    price = lambda s: Decimal(_rate(s, "FedEx", "FEDEX_2_DAY").rate)  # noqa: E731
    assert price(adult) - price(plain) == Decimal("7.45")
    assert price(iced) - price(plain) == Decimal("6.50")
    assert {r.carrier for r in heavy_ice.rates} == {"UPS", "FedEx"}  # USPS takes <= 5.5 lb


def test_dry_ice_without_weight_is_refused(easypost_client: easypost.EasyPostClient) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        _shipment(easypost_client, dry_ice=True)

    assert caught.value.errors == [
        {"field": "options.dry_ice_weight", "message": "is required with dry_ice"}
    ]


def test_medical_dry_ice_and_hazmat_are_accepted_and_echoed(
    easypost_client: easypost.EasyPostClient,
) -> None:
    declared = _shipment(
        easypost_client,
        dry_ice=True,
        dry_ice_weight=32,
        dry_ice_medical=True,
        hazmat="LIMITED_QUANTITY",
    )

    assert declared.options["dry_ice_medical"] is True
    assert declared.options["hazmat"] == "LIMITED_QUANTITY"
    usps = {r.service for r in declared.rates if r.carrier == "USPS"}
    assert usps == {"GroundAdvantage"}  # USPS carries dangerous goods by ground only
    assert {r.carrier for r in declared.rates} == {"USPS", "UPS", "FedEx"}


def test_unknown_hazmat_value_is_refused(easypost_client: easypost.EasyPostClient) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        _shipment(easypost_client, hazmat="EXPLOSIVE")

    assert caught.value.errors[0]["field"] == "options.hazmat"


def test_unknown_zip_gets_no_rates_but_messages(easypost_client: easypost.EasyPostClient) -> None:
    shipment = _shipment(easypost_client, to={**CAMBRIDGE, "zip": "00001"})

    assert shipment.rates == []
    assert {m.type for m in shipment.messages} == {"rate_error"}


def test_carrier_accounts_limit_the_rates(easypost_client: easypost.EasyPostClient) -> None:
    usps = next(r.carrier_account_id for r in _shipment(easypost_client).rates)
    shipment = easypost_client.shipment.create(
        from_address=BOSTON, to_address=CAMBRIDGE, parcel=PARCEL, carrier_accounts=[usps]
    )

    assert {r.carrier for r in shipment.rates} == {"USPS"}


# -- buying --------------------------------------------------------------------------------------


def test_buy_returns_label_tracking_code_and_tracker(
    easypost_client: easypost.EasyPostClient,
) -> None:
    shipment = _shipment(easypost_client, label_format="PDF")
    rate = _rate(shipment, "USPS", "Priority")

    bought = easypost_client.shipment.buy(shipment.id, rate=rate, insurance="250.00")

    assert bought.selected_rate.id == rate.id
    assert bought.tracking_code.startswith("9400") and len(bought.tracking_code) == 22
    assert bought.tracker.tracking_code == bought.tracking_code
    assert bought.tracker.status == "pre_transit"
    assert bought.insurance == "250.00"
    assert {f.type: f.amount for f in bought.fees} == {
        "LabelFee": "0.00000",
        "PostageFee": f"{Decimal(rate.rate):.5f}",
        "InsuranceFee": "2.50000",
    }
    label = requests.get(bought.postage_label.label_url, timeout=5)
    assert label.headers["content-type"] == "application/pdf"
    assert label.content.startswith(b"%PDF-1.4") and label.content.rstrip().endswith(b"%%EOF")
    assert bought.tracking_code.encode() in label.content


@pytest.mark.parametrize(
    ("label_format", "media_type", "magic"),
    [("ZPL", "application/zpl", b"^XA"), ("PNG", "image/png", b"\x89PNG\r\n\x1a\n")],
)
def test_label_formats(
    easypost_client: easypost.EasyPostClient, label_format: str, media_type: str, magic: bytes
) -> None:
    shipment = _shipment(easypost_client, label_format=label_format)
    bought = easypost_client.shipment.buy(shipment.id, rate=shipment.lowest_rate())

    label = requests.get(bought.postage_label.label_url, timeout=5)

    assert bought.postage_label.label_file_type == media_type
    assert label.headers["content-type"] == media_type
    assert label.content.startswith(magic)
    if label_format == "PNG":
        assert zlib.decompress(label.content[41:-12]).startswith(b"\x00")  # IDAT scanlines


def test_second_buy_is_refused_and_retrieve_shows_the_label(
    easypost_client: easypost.EasyPostClient,
) -> None:
    shipment = _shipment(easypost_client)
    bought = easypost_client.shipment.buy(shipment.id, rate=shipment.lowest_rate())

    with pytest.raises(InvalidRequestError) as caught:
        easypost_client.shipment.buy(shipment.id, rate=shipment.rates[-1])
    retrieved = easypost_client.shipment.retrieve(shipment.id)

    assert caught.value.http_status == 422
    assert caught.value.code == "SHIPMENT.POSTAGE.EXISTS"
    assert retrieved.tracking_code == bought.tracking_code
    assert retrieved.postage_label.label_url == bought.postage_label.label_url
    assert retrieved.selected_rate.id == bought.selected_rate.id


def test_buying_another_shipments_rate_is_refused(easypost_client: easypost.EasyPostClient) -> None:
    one, other = _shipment(easypost_client), _shipment(easypost_client)

    with pytest.raises(InvalidRequestError) as caught:
        easypost_client.shipment.buy(one.id, rate=other.rates[0])

    assert caught.value.code == "SHIPMENT.RATE.INVALID"


# -- trackers ------------------------------------------------------------------------------------


def test_tracker_follows_the_sandbox_clock(
    server: SandboxServer, easypost_client: easypost.EasyPostClient
) -> None:
    shipment = _shipment(easypost_client, to=LOS_ANGELES)
    bought = easypost_client.shipment.buy(shipment.id, rate=_rate(shipment, "UPS", "Ground"))
    tracker_id = bought.tracker.id

    def status_after(delta: dt.timedelta) -> str:
        server.advance(delta)
        return easypost_client.tracker.retrieve(tracker_id).status

    # Friday 15:00: accepted 21:00; five delivery days land on Friday 27 November.
    assert status_after(dt.timedelta(hours=7)) == "in_transit"
    assert status_after(dt.timedelta(days=6, hours=11)) == "out_for_delivery"  # 27th, 09:00
    tracker = easypost_client.tracker.retrieve(tracker_id)
    assert tracker.est_delivery_date == "2026-11-27T20:00:00Z"
    assert status_after(dt.timedelta(hours=8)) == "delivered"
    delivered = easypost_client.tracker.retrieve(tracker_id)
    assert [d.status for d in delivered.tracking_details][:2] == ["pre_transit", "in_transit"]
    assert delivered.tracking_details[-1].tracking_location.city == "LOS ANGELES"
    page = requests.get(delivered.public_url, timeout=5)
    assert page.status_code == 200
    assert bought.tracking_code in page.text and "Status: delivered" in page.text


def test_tracker_outcome_can_be_an_exception(
    server: SandboxServer, easypost_client: easypost.EasyPostClient
) -> None:
    shipment = _shipment(easypost_client)
    bought = easypost_client.shipment.buy(shipment.id, rate=shipment.lowest_rate())
    server.set_outcome(Api.EASYPOST, bought.tracking_code, Outcome.RETURN_TO_SENDER)

    server.advance(dt.timedelta(days=7))

    tracker = easypost_client.tracker.retrieve(bought.tracker.id)
    assert tracker.status == "return_to_sender"
    assert [d.status for d in tracker.tracking_details][-2:] == [
        "out_for_delivery",
        "return_to_sender",
    ]


@pytest.mark.parametrize(
    ("code", "final"),
    [
        ("EZ1000000001", "pre_transit"),
        ("EZ2000000002", "in_transit"),
        ("EZ4000000004", "delivered"),
        ("EZ5000000005", "return_to_sender"),
        ("EZ6000000006", "failure"),
        ("EZ7000000007", "unknown"),
    ],
)
def test_easypost_test_tracking_codes(
    server: SandboxServer, easypost_client: easypost.EasyPostClient, code: str, final: str
) -> None:
    created = easypost_client.tracker.create(tracking_code=code, carrier="USPS")
    server.advance(dt.timedelta(days=5))

    assert easypost_client.tracker.retrieve(created.id).status == final
    assert easypost_client.tracker.create(tracking_code=code).id == created.id


# -- refunds -------------------------------------------------------------------------------------


def test_refund_before_the_parcel_moves(easypost_client: easypost.EasyPostClient) -> None:
    shipment = _shipment(easypost_client)
    easypost_client.shipment.buy(shipment.id, rate=shipment.lowest_rate())

    refunded = easypost_client.shipment.refund(shipment.id)
    with pytest.raises(InvalidRequestError) as again:
        easypost_client.shipment.refund(shipment.id)

    assert refunded.refund_status == "submitted"
    assert again.value.code == "SHIPMENT.REFUND.EXISTS"


def test_refund_once_in_transit_is_refused(
    server: SandboxServer, easypost_client: easypost.EasyPostClient
) -> None:
    shipment = _shipment(easypost_client)
    easypost_client.shipment.buy(shipment.id, rate=shipment.lowest_rate())
    server.advance(dt.timedelta(days=1))

    with pytest.raises(InvalidRequestError) as caught:
        easypost_client.shipment.refund(shipment.id)

    assert caught.value.code == "SHIPMENT.REFUND.UNAVAILABLE"


def test_refund_by_tracking_code(easypost_client: easypost.EasyPostClient) -> None:
    shipment = _shipment(easypost_client)
    bought = easypost_client.shipment.buy(shipment.id, rate=shipment.lowest_rate())

    refunds = easypost_client.refund.create(carrier="USPS", tracking_codes=[bought.tracking_code])

    assert [(r.shipment_id, r.status) for r in refunds] == [(shipment.id, "submitted")]


# -- errors --------------------------------------------------------------------------------------


def test_missing_key_is_401_in_easypost_shape(server: SandboxServer) -> None:
    client = easypost.EasyPostClient("", api_base=server.easypost_base, timeout=5)

    with pytest.raises(UnauthorizedError) as caught:
        client.shipment.retrieve("shp_x")
    client._requests_session.close()

    assert caught.value.code == "APIKEY.REQUIRED"


def test_basic_auth_is_accepted(server: SandboxServer) -> None:
    answer = requests.get(f"{server.easypost_base}/trackers", auth=("EZTK_sandbox", ""), timeout=5)

    assert answer.status_code == 200
    assert answer.json() == {"trackers": [], "has_more": False}


def test_unknown_shipment_is_404(easypost_client: easypost.EasyPostClient) -> None:
    with pytest.raises(NotFoundError) as caught:
        easypost_client.shipment.retrieve("shp_missing")

    assert caught.value.code == "NOT_FOUND"
    assert set(caught.value.json_body["error"]) == {"code", "message", "errors"}
