"""Tracker events posted to webhooks: EasyPost's signed with its HMAC scheme, Shippo's plain."""

from __future__ import annotations

import datetime as dt

import easypost
import pytest
import requests
from easypost.errors import SignatureVerificationError
from easypost.util import validate_webhook

from finalmile_sandbox.server import SandboxServer
from tests.integration.sandbox.conftest import BOSTON, CAMBRIDGE, PARCEL, Receiver

#: NFKD turns the ligature into "fi": the signature must use the normalised secret.
SECRET = "ﬁnalmile-sandbox-secret"


def _buy(client: easypost.EasyPostClient):
    shipment = client.shipment.create(from_address=BOSTON, to_address=CAMBRIDGE, parcel=PARCEL)
    return client.shipment.buy(shipment.id, rate=shipment.lowest_rate())


def test_easypost_events_verify_with_the_sdk_helper(
    server: SandboxServer, easypost_client: easypost.EasyPostClient, receiver: Receiver
) -> None:
    hook = easypost_client.webhook.create(url=receiver.url, webhook_secret=SECRET)
    bought = _buy(easypost_client)

    created = server.flush()
    updated = server.advance(dt.timedelta(days=1))

    assert hook.id.startswith("hook_")
    assert (created, updated) == (1, 1)
    events = [validate_webhook(p.body, p.headers, SECRET) for p in receiver.received]
    assert [e["description"] for e in events] == ["tracker.created", "tracker.updated"]
    assert events[1]["previous_attributes"] == {"status": "pre_transit"}
    assert events[1]["result"]["status"] == "in_transit"
    assert events[1]["result"]["tracking_code"] == bought.tracking_code
    assert all(
        p.headers["X-Hmac-Signature"].startswith("hmac-sha256-hex=") for p in receiver.received
    )


def test_tampered_or_wrongly_keyed_events_fail_validation(
    server: SandboxServer, easypost_client: easypost.EasyPostClient, receiver: Receiver
) -> None:
    easypost_client.webhook.create(url=receiver.url, webhook_secret=SECRET)
    _buy(easypost_client)
    server.flush()
    post = receiver.received[0]

    with pytest.raises(SignatureVerificationError):
        validate_webhook(post.body.replace(b"pre_transit", b"delivered"), post.headers, SECRET)
    with pytest.raises(SignatureVerificationError):
        validate_webhook(post.body, post.headers, "another-secret")


def test_no_event_without_a_status_change(
    server: SandboxServer, easypost_client: easypost.EasyPostClient, receiver: Receiver
) -> None:
    easypost_client.webhook.create(url=receiver.url, webhook_secret=SECRET)
    _buy(easypost_client)
    server.flush()

    assert server.advance(dt.timedelta(hours=1)) == 0
    assert len(receiver.received) == 1


def test_shippo_track_updated_keeps_the_url_token(
    server: SandboxServer, receiver: Receiver
) -> None:
    registered = requests.post(
        f"{server.url}_sandbox/webhooks",
        json={"api": "shippo", "url": f"{receiver.url}?token=abc123"},
        timeout=5,
    )
    requests.post(
        f"{server.shippo_base}/tracks",
        json={"carrier": "shippo", "tracking_number": "SHIPPO_DELIVERED"},
        headers={"Authorization": "ShippoToken k"},
        timeout=5,
    )

    changes = requests.post(
        f"{server.url}_sandbox/clock", json={"advance_seconds": 5 * 86400}, timeout=5
    ).json()

    assert registered.status_code == 201
    assert changes["webhooks_sent"] == 1  # one event: the status as of the flush
    (post,) = receiver.received
    assert post.path == "/hooks?token=abc123"
    assert "X-Hmac-Signature" not in post.headers
    body = post.json()
    assert (body["event"], body["test"]) == ("track_updated", True)
    assert body["data"]["tracking_status"]["status"] == "DELIVERED"


def test_failed_deliveries_are_recorded(
    server: SandboxServer, easypost_client: easypost.EasyPostClient
) -> None:
    easypost_client.webhook.create(url="http://127.0.0.1:9/nothing-listens", webhook_secret=SECRET)
    easypost_client.webhook.create(url="not a url", webhook_secret=SECRET)
    _buy(easypost_client)

    server.flush()

    assert [(d.description, d.status) for d in server.dispatcher.deliveries] == [
        ("tracker.created", None),
        ("tracker.created", None),
    ]
