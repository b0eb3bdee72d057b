"""End to end: a label bought through the shipments service, the sandbox tracker advanced, its
webhooks (EasyPost signed, Shippo with the URL token) received over HTTP: the order ends delivered
with the carrier's POD, billed once."""

from __future__ import annotations

import datetime as dt

import requests

from finalmile.app import Services
from finalmile_devtools.synthetic import order_id_for, rde_o11
from finalmile_sandbox.server import SandboxServer
from tests.integration.shipments.conftest import ingest_orders
from tests.integration.tracking.conftest import EASYPOST_SECRET, SHIPPO_TOKEN, AppServer
from tests.integration.tracking.helpers import api_key, custody_kinds, outbox_topics, state_of


def test_sandbox_tracker_to_delivered_with_carrier_pod(
    sandbox: SandboxServer, tracked: Services, app_server: AppServer
) -> None:
    (order_id,) = ingest_orders(tracked, 1, start=500)
    hook = requests.post(
        f"{sandbox.url}_sandbox/webhooks",
        json={
            "api": "easypost",
            "url": f"{app_server.url}/webhooks/easypost",
            "secret": EASYPOST_SECRET,
        },
        timeout=5,
    )
    shipment = tracked.shipments.buy(order_id=order_id, account="easypost")

    posts = sandbox.flush()
    for _ in range(6):
        posts += sandbox.advance(dt.timedelta(days=1))

    assert hook.status_code == 201
    deliveries = sandbox.dispatcher.deliveries
    assert posts == len(deliveries) >= 3
    assert {d.status for d in deliveries} == {200}
    state = state_of(tracked, order_id)
    assert state is not None and state.status.value == "delivered"
    assert state.shipped_at is not None and state.delivered_at is not None
    assert state.shipped_at < state.delivered_at
    assert outbox_topics(tracked, order_id) == {
        "order.shipped": 1,
        "order.delivered": 1,
        "order.delivery_confirmed": 1,
    }
    assert custody_kinds(tracked, order_id) == [
        "transferred_to_carrier",
        "out_for_delivery",
        "delivered",
    ]
    headers = api_key(tracked)
    pod = requests.get(f"{app_server.url}/orders/{order_id}/pod", headers=headers, timeout=5).json()
    (tracking,) = requests.get(
        f"{app_server.url}/orders/{order_id}/tracking", headers=headers, timeout=5
    ).json()
    assert (tracking["shipment"], tracking["status"]) == (shipment.key, "delivered")
    assert tracking["events"][0]["status"] == "pre_transit"
    assert tracking["events"][-1]["provider_detail"] == "arrived_at_destination"
    assert pod["complete"] is True and pod["missing"] == []
    assert pod["method"] == "carrier"
    assert pod["tracking_number"] == shipment.tracking_number
    assert pod["carrier_signed_by"] == "SANDBOX"
    assert pod["proof_url"].endswith(f"track/{shipment.tracker_id}")
    assert pod["delivered_at"] == state.delivered_at.isoformat().replace("+00:00", "Z")


def test_shippo_label_to_delivered_through_the_token_webhook(
    sandbox: SandboxServer, tracked: Services, app_server: AppServer
) -> None:
    outcomes = tracked.intake.ingest_hl7([rde_o11(510, signature=False)], connector="default")
    assert outcomes[0].error is None
    order_id = order_id_for(510)
    requests.post(
        f"{sandbox.url}_sandbox/webhooks",
        json={"api": "shippo", "url": f"{app_server.url}/webhooks/shippo?token={SHIPPO_TOKEN}"},
        timeout=5,
    )
    shipment = tracked.shipments.buy(order_id=order_id, account="shippo")

    sandbox.flush()
    for _ in range(6):
        sandbox.advance(dt.timedelta(days=1))

    assert {d.status for d in sandbox.dispatcher.deliveries} == {200}
    state = state_of(tracked, order_id)
    assert state is not None and state.status.value == "delivered"
    pod = requests.get(
        f"{app_server.url}/orders/{order_id}/pod", headers=api_key(tracked), timeout=5
    ).json()
    assert (pod["complete"], pod["method"]) == (True, "carrier")
    assert pod["tracking_number"] == shipment.tracking_number
    assert outbox_topics(tracked, order_id)["order.delivery_confirmed"] == 1
