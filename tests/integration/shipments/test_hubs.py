"""EasyPost and Shippo end to end against the sandbox: the real adapters and the official SDKs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from finalmile.app import Services
from finalmile.audit import history
from finalmile.canonical import Address
from finalmile.carriers.base import LabelFormat, ShipmentOptions, TrackingStatus
from finalmile.errors import ConflictError, PermanentError
from finalmile.shipments.models import ShipmentState
from finalmile_sandbox.records import ShipmentRecord
from finalmile_sandbox.server import SandboxServer
from tests.integration.shipments.conftest import ingest_orders, labels_by_order

HUBS = ["easypost", "shippo"]
MAGIC = {LabelFormat.PDF: b"%PDF", LabelFormat.ZPL: b"^XA", LabelFormat.PNG: b"\x89PNG"}


def sandbox_shipment(server: SandboxServer, provider_id: str) -> ShipmentRecord:
    record = server.call(lambda: server.sandbox.store.get(ShipmentRecord, provider_id))
    assert record is not None
    return record


@pytest.mark.parametrize("account", HUBS)
def test_buy_keeps_label_tracking_cost_and_sends_options(
    account: str, shipping: Services, sandbox: SandboxServer
) -> None:
    [order_id] = ingest_orders(shipping, 1)
    options = ShipmentOptions(
        adult_signature=True, dry_ice_weight_oz=Decimal(32), insured_value=Decimal(250)
    )

    row = shipping.shipments.buy(order_id=order_id, account=account, options=options)

    assert row.state is ShipmentState.PURCHASED
    assert row.tracking_number and row.carrier and row.service
    assert row.amount is not None and row.amount > 0
    content, label_format = shipping.shipments.label(row)
    assert label_format is LabelFormat.PDF and content.startswith(b"%PDF")
    assert row.provider_shipment_id is not None
    record = sandbox_shipment(sandbox, row.provider_shipment_id)
    assert record.purchase is not None and record.purchase.tracking_code == row.tracking_number
    assert record.signature != "NO_SIGNATURE"
    assert record.dry_ice_weight_oz == pytest.approx(32, abs=0.1)
    assert labels_by_order(sandbox) == {order_id: 1}


@pytest.mark.parametrize("account", HUBS)
@pytest.mark.parametrize("label_format", [LabelFormat.ZPL, LabelFormat.PNG])
def test_label_formats(
    account: str, label_format: LabelFormat, shipping: Services, sandbox: SandboxServer
) -> None:
    [order_id] = ingest_orders(shipping, 1)
    row = shipping.shipments.buy(
        order_id=order_id, account=account, options=ShipmentOptions(label_format=label_format)
    )
    content, stored_format = shipping.shipments.label(row)
    assert stored_format is label_format
    assert content.startswith(MAGIC[label_format])


@pytest.mark.parametrize("account", HUBS)
def test_buying_again_returns_the_same_shipment(
    account: str, shipping: Services, sandbox: SandboxServer
) -> None:
    [order_id] = ingest_orders(shipping, 1)
    first = shipping.shipments.buy(order_id=order_id, account=account)
    second = shipping.shipments.buy(order_id=order_id, account=account)
    assert second.key == first.key
    assert labels_by_order(sandbox) == {order_id: 1}
    with pytest.raises(ConflictError, match="live shipment"):
        shipping.shipments.buy(order_id=order_id, account="drivers")


@pytest.mark.parametrize("account", HUBS)
def test_a_service_not_offered_fails_the_shipment_and_frees_the_order(
    account: str, shipping: Services, sandbox: SandboxServer
) -> None:
    [order_id] = ingest_orders(shipping, 1)
    with pytest.raises(PermanentError, match="offered"):
        shipping.shipments.buy(order_id=order_id, account=account, service="teleport")
    [failed] = shipping.shipments.for_order(order_id=order_id)
    assert failed.state is ShipmentState.FAILED and failed.last_error

    row = shipping.shipments.buy(order_id=order_id, account=account)

    assert row.state is ShipmentState.PURCHASED and row.key != failed.key
    assert labels_by_order(sandbox) == {order_id: 1}


@pytest.mark.parametrize("account", HUBS)
def test_requested_service_is_bought(
    account: str, shipping: Services, sandbox: SandboxServer
) -> None:
    [order_id] = ingest_orders(shipping, 1)
    rated = shipping.shipments.quote(order_id=order_id, account=account)
    assert len(rated.quotes) > 1 and not labels_by_order(sandbox)
    dearest = max(rated.quotes, key=lambda q: q.amount)
    row = shipping.shipments.buy(order_id=order_id, account=account, service=dearest.service_code)
    assert (row.carrier, row.service) == (dearest.carrier, dearest.service)


@pytest.mark.parametrize("account", HUBS)
def test_void_is_audited_and_lets_the_order_ship_again(
    account: str, shipping: Services, sandbox: SandboxServer
) -> None:
    [order_id] = ingest_orders(shipping, 1)
    row = shipping.shipments.buy(order_id=order_id, account=account)

    voided = shipping.shipments.void(shipment=row, actor="pharmacist:7", reason="wrong address")

    assert voided.state is ShipmentState.VOIDED and voided.refund_status
    with shipping.sessions() as session:
        events = history(session, entity="shipment", entity_id=row.id or 0)
    assert [e.action for e in events][-1] == "voided"
    assert events[-1].actor == "pharmacist:7" and events[-1].detail["reason"] == "wrong address"
    assert [e.action for e in events][:2] == ["buy_attempt", "bought"]
    assert events[0].detail["rate_id"] == row.rate_id
    with pytest.raises(ConflictError, match="purchased"):
        shipping.shipments.void(shipment=voided, actor="pharmacist:7", reason="again")
    again = shipping.shipments.buy(order_id=order_id, account=account)
    assert again.state is ShipmentState.PURCHASED and again.key != row.key


@pytest.mark.parametrize("account", HUBS)
def test_tracking_follows_the_parcel(
    account: str, shipping: Services, sandbox: SandboxServer
) -> None:
    [order_id] = ingest_orders(shipping, 1)
    row = shipping.shipments.buy(order_id=order_id, account=account)
    assert shipping.shipments.track(row).status is TrackingStatus.PRE_TRANSIT

    sandbox.advance(dt.timedelta(days=10))

    info = shipping.shipments.track(row)
    assert info.status is TrackingStatus.DELIVERED
    assert info.tracking_number == row.tracking_number
    assert TrackingStatus.DELIVERED in {scan.status for scan in info.scans}


@pytest.mark.parametrize("account", HUBS)
def test_address_verification(account: str, shipping: Services) -> None:
    [order_id] = ingest_orders(shipping, 1)
    check = shipping.shipments.verify_address(order_id=order_id, account=account)
    assert check.deliverable
    unknown = Address(line1="1 Nowhere Rd", city="Nowhere", state="ZZ", postal_code="00000")
    verdict = shipping.shipments.account(account).verifying().verify_address(unknown)
    assert not verdict.deliverable and verdict.problems


@pytest.mark.parametrize("account", HUBS)
def test_a_refused_void_is_audited_and_the_label_stays(
    account: str, shipping: Services, sandbox: SandboxServer
) -> None:
    [order_id] = ingest_orders(shipping, 1)
    row = shipping.shipments.buy(order_id=order_id, account=account)
    sandbox.advance(dt.timedelta(days=2))  # scanned by the carrier: no refund any more

    with pytest.raises(PermanentError):
        shipping.shipments.void(shipment=row, actor="pharmacist:7", reason="too late")

    [kept] = shipping.shipments.for_order(order_id=order_id)
    assert kept.state is ShipmentState.PURCHASED
    with shipping.sessions() as session:
        last = history(session, entity="shipment", entity_id=row.id or 0)[-1]
    assert (last.action, last.actor, last.detail["reason"]) == (
        "void_refused",
        "pharmacist:7",
        "too late",
    )
