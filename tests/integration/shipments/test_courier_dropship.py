"""Couriers (in-house and third party) and drop shippers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from finalmile.app import Services, build_services
from finalmile.carriers.base import ShipmentOptions, TrackingStatus
from finalmile.config.settings import Settings
from finalmile.errors import ConflictError, InputError, PermanentError
from finalmile.shipments.models import ShipmentState
from finalmile_sandbox.server import SandboxServer
from tests.integration.shipments.conftest import FAST, ingest_orders, labels_by_order
from tests.integration.shipments.courier_receiver import CourierState, courier_api

SECRET = "courier-signing-secret"


@pytest.fixture
def courier(ship_settings: Settings) -> Iterator[tuple[Services, CourierState]]:
    with courier_api(SECRET) as (url, state):
        carriers = {
            **ship_settings.carriers,
            "swiftcourier": {
                "type": "courier",
                "mode": "third_party",
                "endpoint": url,
                "signing_secret": SECRET,
                **FAST,
            },
        }
        services = build_services(ship_settings.model_copy(update={"carriers": carriers}))
        yield services, state
        services.close()


def test_in_house_courier_job_gets_finalmiles_own_tracking_number(shipping: Services) -> None:
    [order_id] = ingest_orders(shipping, 1)
    row = shipping.shipments.buy(order_id=order_id, account="drivers")
    assert row.state is ShipmentState.PURCHASED
    assert row.tracking_number == "FM" + row.key[:16].upper()
    assert row.carrier == "drivers" and row.service == "same_day"
    assert shipping.shipments.track(row).status is TrackingStatus.PRE_TRANSIT
    voided = shipping.shipments.void(shipment=row, actor="dispatcher", reason="rerouted")
    assert voided.state is ShipmentState.VOIDED


def test_third_party_courier_gets_a_signed_job_dispatched_once(
    courier: tuple[Services, CourierState],
) -> None:
    services, state = courier
    [order_id] = ingest_orders(services, 1)
    state.fail_next_dispatch_after_commit = True  # 500 after the dispatch took effect

    row = services.shipments.buy(
        order_id=order_id, account="swiftcourier", options=ShipmentOptions(adult_signature=True)
    )

    assert row.state is ShipmentState.PURCHASED and row.amount == 31.5
    assert state.dispatches == 1 and state.bad_signatures == 0
    [job] = state.jobs.values()
    payload = job["job"]
    assert payload["order_id"] == order_id
    assert payload["tracking_number"] == row.tracking_number
    assert [s["kind"] for s in payload["stops"]] == ["pickup", "dropoff"]
    assert payload["storage"] == "refrigerated" and payload["cooler_required"] is True
    assert payload["signature_required"] is True and payload["time_window"]["end"]
    assert services.shipments.track(row).status is TrackingStatus.PRE_TRANSIT
    services.shipments.void(shipment=row, actor="dispatcher", reason="patient away")
    assert job["status"] == "cancelled"
    assert services.shipments.track(row).status is TrackingStatus.CANCELLED


def test_drop_shipment_is_recorded_once_and_tracked_through_a_hub(
    shipping: Services, sandbox: SandboxServer
) -> None:
    [order_id] = ingest_orders(shipping, 1)
    row = shipping.shipments.record_external(
        order_id=order_id, account="maker", carrier="UPS", tracking_number="1Z999AA10123456784"
    )
    again = shipping.shipments.record_external(
        order_id=order_id, account="maker", carrier="UPS", tracking_number="1Z999AA10123456784"
    )
    assert again.key == row.key and row.state is ShipmentState.PURCHASED
    with pytest.raises(ConflictError, match="live shipment"):
        shipping.shipments.record_external(
            order_id=order_id, account="maker", carrier="UPS", tracking_number="1ZOTHER"
        )
    info = shipping.shipments.track(row)
    assert info.tracking_number == "1Z999AA10123456784"
    assert not labels_by_order(sandbox)  # tracked, nothing bought
    with pytest.raises(InputError, match="not a drop shipper"):
        shipping.shipments.record_external(
            order_id=order_id, account="easypost", carrier="UPS", tracking_number="1Z"
        )
    with pytest.raises(PermanentError, match="cannot"):
        shipping.shipments.buy(order_id=ingest_orders(shipping, 1, start=5)[0], account="maker")
