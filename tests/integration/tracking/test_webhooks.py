"""POST /webhooks/easypost and /webhooks/shippo: forged, unsigned and replayed events do nothing."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from finalmile.app import Services
from finalmile.carriers.easypost.webhooks import signature as easypost_signature
from finalmile.carriers.shippo.webhooks import signature as shippo_signature
from finalmile.config.settings import Settings
from finalmile.main import create_app
from tests.integration.tracking.conftest import EASYPOST_SECRET, SHIPPO_TOKEN
from tests.integration.tracking.helpers import (
    dropship,
    easypost_event,
    outbox_topics,
    signed,
    state_of,
    stored_counts,
)


@pytest.fixture
def api(track_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(track_settings)) as client:
        yield client


def test_unsigned_and_forged_easypost_events_change_nothing(
    api: TestClient, tracked: Services
) -> None:
    order_id, number = dropship(tracked, 1)
    raw, headers = signed(easypost_event(number, 5, event_id="evt_1"))
    forged_raw, forged_headers = signed(easypost_event(number, 5, event_id="evt_1"), "guess")
    tampered = raw.replace(b"Delivered", b"Delivered, honest")

    answers = [
        api.post("/webhooks/easypost", content=raw),
        api.post("/webhooks/easypost", content=forged_raw, headers=forged_headers),
        api.post("/webhooks/easypost", content=tampered, headers=headers),
        api.post(
            "/webhooks/easypost", content=raw, headers={"X-Hmac-Signature": "hmac-sha256-hex=0"}
        ),
    ]

    assert [a.status_code for a in answers] == [401, 401, 401, 401]
    assert stored_counts(tracked) == (0, 0)
    assert state_of(tracked, order_id) is None
    assert outbox_topics(tracked, order_id) == {}


def test_a_replayed_easypost_event_is_a_duplicate_that_changes_nothing(
    api: TestClient, tracked: Services
) -> None:
    order_id, number = dropship(tracked, 2)
    raw, headers = signed(easypost_event(number, 5, event_id="evt_2"))

    first = api.post("/webhooks/easypost", content=raw, headers=headers)
    counts, topics = stored_counts(tracked), outbox_topics(tracked, order_id)
    replays = [api.post("/webhooks/easypost", content=raw, headers=headers) for _ in range(3)]

    assert first.json() == {"outcome": "processed", "new_events": 5}
    assert {r.json()["outcome"] for r in replays} == {"duplicate"}
    assert (stored_counts(tracked), outbox_topics(tracked, order_id)) == (counts, topics)
    state = state_of(tracked, order_id)
    assert state is not None and state.status.value == "delivered"
    assert topics == {"order.shipped": 1, "order.delivered": 1, "order.delivery_confirmed": 1}


def test_unknown_parcels_and_other_events_are_acknowledged_without_effect(
    api: TestClient, tracked: Services
) -> None:
    raw, headers = signed(easypost_event("9400999", 2, event_id="evt_3"))
    other, other_headers = signed(
        {"object": "Event", "id": "evt_4", "description": "refund.successful", "result": {}}
    )
    bad, bad_headers = signed({"object": "Event", "id": "evt_5"})
    not_json = b"{nope"

    assert api.post("/webhooks/easypost", content=raw, headers=headers).json()["outcome"] == (
        "unmatched"
    )
    assert api.post("/webhooks/easypost", content=other, headers=other_headers).json() == {
        "outcome": "ignored",
        "new_events": 0,
    }
    bad_answer = api.post("/webhooks/easypost", content=bad, headers=bad_headers)
    assert bad_answer.status_code == 200 and bad_answer.json()["outcome"] == "ignored"
    garbled = api.post(
        "/webhooks/easypost",
        content=not_json,
        headers={"X-Hmac-Signature": easypost_signature(not_json, EASYPOST_SECRET)},
    )
    assert garbled.status_code == 422 and garbled.json()["error"]["location"] == "body"
    assert stored_counts(tracked) == (0, 0)


def _shippo_body(number: str) -> bytes:
    history = [
        ("PRE_TRANSIT", "information_received", "2026-11-20T15:00:00.000000Z"),
        ("TRANSIT", "out_for_delivery", "2026-11-22T08:00:00.000000Z"),
    ]
    return json.dumps(
        {
            "event": "track_updated",
            "test": True,
            "data": {
                "carrier": "usps",
                "tracking_number": number,
                "tracking_history": [
                    {
                        "status": status,
                        "status_details": code,
                        "status_date": date,
                        "substatus": {"code": code, "text": code, "action_required": False},
                    }
                    for status, code, date in history
                ],
            },
        }
    ).encode()


def test_shippo_needs_the_url_token(api: TestClient, tracked: Services) -> None:
    order_id, number = dropship(tracked, 3)
    body = _shippo_body(number)

    refused = [
        api.post("/webhooks/shippo", content=body),
        api.post("/webhooks/shippo?token=wrong", content=body),
    ]
    accepted = api.post(f"/webhooks/shippo?token={SHIPPO_TOKEN}", content=body)
    again = api.post(f"/webhooks/shippo?token={SHIPPO_TOKEN}", content=body)

    assert [r.status_code for r in refused] == [401, 401]
    assert accepted.json() == {"outcome": "processed", "new_events": 2}
    assert again.json()["outcome"] == "duplicate"
    state = state_of(tracked, order_id)
    assert state is not None and state.status.value == "out_for_delivery"


def test_shippo_hmac_when_configured(track_settings: Settings, tracked: Services) -> None:
    settings = track_settings.model_copy(update={"shippo_webhook_secret": SecretStr("shippo-hmac")})
    order_id, number = dropship(tracked, 4)
    body = _shippo_body(number)
    url = f"/webhooks/shippo?token={SHIPPO_TOKEN}"
    now = int(time.time())

    with TestClient(create_app(settings)) as api:
        unsigned = api.post(url, content=body)
        stale = api.post(
            url,
            content=body,
            headers={"Shippo-Auth-Signature": shippo_signature(body, "shippo-hmac", now - 3600)},
        )
        forged = api.post(
            url, content=body, headers={"Shippo-Auth-Signature": shippo_signature(body, "x", now)}
        )
        good = api.post(
            url,
            content=body,
            headers={"Shippo-Auth-Signature": shippo_signature(body, "shippo-hmac", now)},
        )

    assert [r.status_code for r in (unsigned, stale, forged)] == [401, 401, 401]
    assert good.json()["outcome"] == "processed"
    assert state_of(tracked, order_id) is not None


def test_unconfigured_webhooks_refuse_everything(settings: Settings) -> None:
    with TestClient(create_app(settings)) as api:
        raw, headers = signed(easypost_event("1", 1, event_id="evt_9"))
        assert api.post("/webhooks/easypost", content=raw, headers=headers).status_code == 401
        assert api.post("/webhooks/shippo?token=anything", content=b"{}").status_code == 401
