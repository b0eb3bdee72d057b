"""The Shippo SDK (3.9, strict models), unmodified, against the sandbox."""

from __future__ import annotations

import datetime as dt

import pytest
import requests
import shippo
from shippo.models import components, errors, operations

from finalmile_sandbox.server import SandboxServer
from tests.integration.sandbox.conftest import BOSTON, CAMBRIDGE, LOS_ANGELES, TimeoutSession

Status = components.TransactionStatusEnum
Tracking = components.TrackingStatusEnum


def _address(**fields: str) -> components.AddressCreateRequest:
    return components.AddressCreateRequest(**{"country": "US", **fields})


def _shipment(
    sdk: shippo.Shippo, to: dict[str, str] = CAMBRIDGE, **extra: object
) -> components.Shipment:
    return sdk.shipments.create(
        components.ShipmentCreateRequest(
            address_from=_address(**BOSTON),
            address_to=_address(**to),
            parcels=[
                components.ParcelCreateRequest(
                    length="10",
                    width="8",
                    height="4",
                    distance_unit=components.DistanceUnitEnum.IN,
                    weight="1.5",
                    mass_unit=components.WeightUnitEnum.LB,
                )
            ],
            extra=components.ShipmentExtra(**extra) if extra else None,
            async_=False,
        )
    )


def _rate(shipment: components.Shipment, token: str) -> components.Rate:
    return next(r for r in shipment.rates if r.servicelevel.token == token)


def _buy(sdk: shippo.Shippo, rate: components.Rate, **kwargs: object) -> components.Transaction:
    return sdk.transactions.create(
        components.TransactionCreateRequest(rate=rate.object_id, **kwargs)
    )


def test_address_validation(shippo_sdk: shippo.Shippo) -> None:
    good = shippo_sdk.addresses.create(_address(**CAMBRIDGE, validate=True))
    bad = shippo_sdk.addresses.create(_address(**{**CAMBRIDGE, "zip": "0213"}))

    validated = shippo_sdk.addresses.validate(bad.object_id)

    assert good.validation_results.is_valid is True
    assert good.zip.startswith("02139-")
    assert bad.validation_results is None  # not asked for at creation
    assert validated.validation_results.is_valid is False
    assert [m.code for m in validated.validation_results.messages] == [
        "invalid_postal_code",
        "verification_error",
    ]


def test_parcel_units_are_echoed(shippo_sdk: shippo.Shippo) -> None:
    parcel = shippo_sdk.parcels.create(
        components.ParcelCreateRequest(
            length="25",
            width="20",
            height="10",
            distance_unit=components.DistanceUnitEnum.CM,
            weight="700",
            mass_unit=components.WeightUnitEnum.G,
        )
    )

    assert (parcel.weight, parcel.mass_unit) == ("700", components.WeightUnitEnum.G)
    assert shippo_sdk.parcels.get(parcel.object_id).length == "25"


def test_rates_match_the_easypost_catalogue(shippo_sdk: shippo.Shippo) -> None:
    near, far = _shipment(shippo_sdk), _shipment(shippo_sdk, to=LOS_ANGELES)

    tokens = {r.servicelevel.token for r in near.rates}
    assert tokens == {
        "usps_ground_advantage",
        "usps_priority",
        "usps_priority_express",
        "ups_ground",
        "ups_second_day_air",
        "ups_next_day_air_saver",
        "ups_next_day_air",
        "fedex_ground",
        "fedex_2_day",
        "fedex_standard_overnight",
        "fedex_priority_overnight",
    }
    assert _rate(far, "fedex_ground").estimated_days == 5
    assert float(_rate(far, "fedex_ground").amount) > float(_rate(near, "fedex_ground").amount)
    cheapest = [r for r in near.rates if components.Attributes.CHEAPEST in r.attributes]
    assert [r.servicelevel.token for r in cheapest] == ["usps_ground_advantage"]


def test_extras_shape_rates(shippo_sdk: shippo.Shippo) -> None:
    plain = _shipment(shippo_sdk)
    adult = _shipment(shippo_sdk, signature_confirmation=components.SignatureConfirmation.ADULT)
    heavy_ice = _shipment(
        shippo_sdk, dry_ice=components.DryIce(contains_dry_ice=True, weight="3")
    )  # kilograms

    price = lambda s: round(float(_rate(s, "ups_ground").amount), 2)  # noqa: E731
    assert round(price(adult) - price(plain), 2) == 7.45
    assert {r.provider for r in heavy_ice.rates} == {"UPS", "FedEx"}


def test_dangerous_goods_are_accepted_echoed_and_narrow_usps(shippo_sdk: shippo.Shippo) -> None:
    goods = components.DangerousGoodsObject(
        contains=True,
        lithium_batteries=components.DangerousGoodsLithiumBatteries(contains=True),
    )
    declared = _shipment(
        shippo_sdk,
        dry_ice=components.DryIce(contains_dry_ice=True, weight="1"),
        dangerous_goods=goods,
    )

    assert declared.extra is not None and declared.extra.dangerous_goods is not None
    assert declared.extra.dangerous_goods.contains is True
    assert declared.extra.dry_ice is not None and declared.extra.dry_ice.contains_dry_ice is True
    usps = {r.servicelevel.token for r in declared.rates if r.provider == "USPS"}
    assert usps == {"usps_ground_advantage"}


def test_async_purchase_is_queued_then_succeeds(shippo_sdk: shippo.Shippo) -> None:
    shipment = _shipment(shippo_sdk)
    rate = _rate(shipment, "usps_priority")

    queued = _buy(shippo_sdk, rate, label_file_type=components.LabelFileTypeEnum.PDF_4X6)
    done = shippo_sdk.transactions.get(queued.object_id)

    assert (queued.status, queued.tracking_number, queued.label_url) == (Status.QUEUED, "", "")
    assert done.status == Status.SUCCESS
    assert done.rate == rate.object_id
    assert done.tracking_number.startswith("9400")
    assert done.tracking_status == Tracking.PRE_TRANSIT
    assert done.label_file_type == components.LabelFileTypeEnum.PDF_4X6
    assert requests.get(done.label_url, timeout=5).content.startswith(b"%PDF-1.4")


def test_synchronous_purchase_answers_success(shippo_sdk: shippo.Shippo) -> None:
    shipment = _shipment(shippo_sdk)

    bought = _buy(
        shippo_sdk,
        _rate(shipment, "ups_ground"),
        async_=False,
        label_file_type=components.LabelFileTypeEnum.ZPLII,
    )

    assert bought.status == Status.SUCCESS
    assert bought.tracking_number.startswith("1Z")
    assert requests.get(bought.label_url, timeout=5).content.startswith(b"^XA")


def test_listing_by_rate_finds_the_purchase(shippo_sdk: shippo.Shippo) -> None:
    shipment = _shipment(shippo_sdk)
    rate, other = _rate(shipment, "fedex_2_day"), _rate(shipment, "fedex_ground")
    bought = _buy(shippo_sdk, rate)

    found = shippo_sdk.transactions.list(operations.ListTransactionsRequest(rate=rate.object_id))
    none = shippo_sdk.transactions.list(operations.ListTransactionsRequest(rate=other.object_id))

    assert [(t.object_id, t.status) for t in found.results] == [(bought.object_id, Status.SUCCESS)]
    assert found.results[0].tracking_number
    assert none.results == []


def test_second_purchase_of_a_shipment_is_refused(shippo_sdk: shippo.Shippo) -> None:
    shipment = _shipment(shippo_sdk)
    _buy(shippo_sdk, _rate(shipment, "usps_priority"), async_=False)

    with pytest.raises(errors.SDKError) as caught:
        _buy(shippo_sdk, _rate(shipment, "usps_priority"), async_=False)

    assert caught.value.status_code == 400
    assert caught.value.body == '{"detail":"Postage already exists for this shipment."}'


def test_track_follows_the_sandbox_clock(server: SandboxServer, shippo_sdk: shippo.Shippo) -> None:
    shipment = _shipment(shippo_sdk)
    bought = _buy(shippo_sdk, _rate(shipment, "usps_ground_advantage"), async_=False)

    first = shippo_sdk.tracking_status.get(bought.tracking_number, "usps")
    server.advance(dt.timedelta(days=4))
    later = shippo_sdk.tracking_status.get(bought.tracking_number, "usps")

    assert first.tracking_status.status == Tracking.PRE_TRANSIT
    assert first.transaction == bought.object_id
    assert later.tracking_status.status == Tracking.DELIVERED
    assert later.tracking_status.substatus.code == "delivered"
    assert [s.status for s in later.tracking_history][:2] == [
        Tracking.PRE_TRANSIT,
        Tracking.TRANSIT,
    ]


@pytest.mark.parametrize(
    ("number", "final"),
    [
        ("SHIPPO_TRANSIT", Tracking.TRANSIT),
        ("SHIPPO_DELIVERED", Tracking.DELIVERED),
        ("SHIPPO_RETURNED", Tracking.RETURNED),
        ("SHIPPO_FAILURE", Tracking.FAILURE),
    ],
)
def test_shippo_test_tracking_numbers(
    server: SandboxServer, shippo_sdk: shippo.Shippo, number: str, final: Tracking
) -> None:
    registered = shippo_sdk.tracking_status.create("shippo", number)
    server.advance(dt.timedelta(days=5))

    assert registered.tracking_status.status == Tracking.PRE_TRANSIT
    assert shippo_sdk.tracking_status.get(number, "shippo").tracking_status.status == final


def test_refund_a_label(shippo_sdk: shippo.Shippo) -> None:
    shipment = _shipment(shippo_sdk)
    bought = _buy(shippo_sdk, _rate(shipment, "usps_priority"), async_=False)

    refund = shippo_sdk.refunds.create(transaction=bought.object_id)

    assert refund.status == components.RefundStatus.QUEUED
    assert refund.transaction == bought.object_id
    assert shippo_sdk.refunds.get(refund.object_id).object_id == refund.object_id
    assert shippo_sdk.transactions.get(bought.object_id).status == Status.REFUNDPENDING


def test_wrong_token_is_401(server: SandboxServer) -> None:
    with TimeoutSession(5.0) as session:
        sdk = shippo.Shippo(
            api_key_header="Bearer nope", server_url=server.shippo_base, client=session
        )
        with pytest.raises(errors.SDKError) as caught:
            sdk.shipments.get("x")

    assert caught.value.status_code == 401
    assert caught.value.body == '{"detail":"Invalid token."}'


def test_missing_field_is_400_naming_it(shippo_sdk: shippo.Shippo, server: SandboxServer) -> None:
    answer = requests.post(
        f"{server.shippo_base}/transactions",
        json={"async": False},
        headers={"Authorization": "ShippoToken k"},
        timeout=5,
    )

    assert answer.status_code == 400
    assert answer.json() == {"detail": "rate: This field is required.", "rate": [
        "This field is required."
    ]}  # fmt: skip
