"""A receiver written from the Standard Webhooks specification with the official `standardwebhooks`
library (the fake PMS; in Node, the npm package) accepts finalmile's requests and rejects a changed
body, a stale timestamp and a wrong secret; every body sent fits its OpenAPI webhook schema."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from standardwebhooks import Webhook, WebhookVerificationError

from finalmile.connectors.writeback import (
    EVENTS,
    EXAMPLES,
    Reply,
    WebhookEvent,
    body_of,
    event_of,
    ping,
    webhook_target,
)
from finalmile.db_types import utcnow
from finalmile.outbox import Effect, Topic
from finalmile.profiles import WebhookTarget
from finalmile_devtools.fake_pms import FakePms
from tests.webhook_contract import assert_declared

from .conftest import shipped_payload

OLD = "whsec_b2xkIHNlY3JldDogc3RpbGwgdmFsaWQgd2hpbGUgcm90YXRpbmc="
NEW = "whsec_bmV3IHNlY3JldDogdGhlIG9uZSB0byBzd2l0Y2ggdG8gbm93IQ=="


@pytest.fixture
def pms(tmp_path: Path) -> Iterator[FakePms]:
    """The fake PMS (verifying with the `standardwebhooks` library) knowing only ``OLD``."""
    with FakePms(secret=OLD, events_file=tmp_path / "events.jsonl") as server:
        yield server


def _send(
    url: str, event: WebhookEvent, *secrets: str, clock: Callable[[], float] = time.time
) -> Reply:
    """Send ``event`` as finalmile's webhook target signed with ``secrets`` does."""
    names = [f"SECRET_{i}" for i in range(len(secrets))]
    settings = WebhookTarget.model_validate(
        {"url": url, "signature": "standard", "secret_env": names}
    )
    target = webhook_target("pms", settings, dict(zip(names, secrets, strict=True)), clock=clock)
    try:
        return target.send(event)
    finally:
        target.close()


def _shipped(n: int) -> WebhookEvent:
    effect = Effect(
        n, f"shipped:{n}", Topic.SHIPPED, "pms", shipped_payload(n, f"RX-{n}"), utcnow()
    )
    return event_of(effect)


def test_the_official_library_accepts_what_is_sent_and_rejects_tampering(pms: FakePms) -> None:
    delivered = _send(pms.url, _shipped(1), OLD).status
    wrong = _send(pms.url, _shipped(2), NEW).status
    stale = _send(pms.url, _shipped(3), OLD, clock=lambda: time.time() - 600).status
    [captured] = list(pms.receiver.requests)
    changed = captured["body"].replace("RX-1", "RX-9")
    tampered = requests.post(pms.url, data=changed, headers=captured["headers"], timeout=5)

    assert (delivered, wrong, stale, tampered.status_code) == (200, 401, 401, 401)
    assert [e.idempotency_key for e in pms.log.events()] == ["pms:shipped:1"]
    headers = captured["headers"]
    assert headers["webhook-id"] == headers["Idempotency-Key"] == "pms:shipped:1"
    assert headers["webhook-signature"].startswith("v1,")
    assert assert_declared(captured["body"]) == "order.shipped"


def test_rotation_signs_with_every_secret_so_either_verifies(pms: FakePms) -> None:
    assert _send(pms.url, _shipped(1), NEW, OLD).status == 200  # the receiver knows only OLD
    [captured] = list(pms.receiver.requests)
    signatures = captured["headers"]["webhook-signature"].split(" ")
    assert len(signatures) == 2
    body = captured["body"].encode()
    for secret in (NEW, OLD):
        assert Webhook(secret).verify(body, captured["headers"])["type"] == "order.shipped"
    other = "whsec_dGhpcmQgc2VjcmV0OiBuZXZlciBjb25maWd1cmVkIGFueXdoZXJl"
    with pytest.raises(WebhookVerificationError):
        Webhook(other).verify(body, captured["headers"])


def test_ping_is_signed_and_declared(pms: FakePms) -> None:
    reply = _send(pms.url, ping("pms", now=utcnow(), nonce="abc"), OLD)
    assert (reply.status, json.loads(reply.body)) == (200, {"outcome": "pong"})
    assert pms.log.events() == []
    [captured] = list(pms.receiver.requests)
    assert assert_declared(captured["body"]) == "ping"


def test_every_event_type_is_declared_with_an_example_that_fits() -> None:
    for event_type, example in EXAMPLES.items():
        assert assert_declared(body_of(example)) == event_type
    assert set(EVENTS) == set(EXAMPLES) == {*(t.value for t in Topic), "ping"}
