"""A receiver written from the Standard Webhooks specification with the official `standardwebhooks`
library (the fake PMS; in Node, the npm package) accepts finalmile's requests and rejects a changed
body, a stale timestamp and a wrong secret; every body sent fits its OpenAPI webhook schema."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
import requests
from fastapi.testclient import TestClient
from standardwebhooks import Webhook, WebhookVerificationError

from finalmile.connectors.writeback import (
    EVENTS,
    EXAMPLES,
    Reply,
    WebhookEvent,
    WebhookWriteback,
    body_of,
    event_of,
    ping,
    standard_secret,
    webhook_target,
)
from finalmile.db_types import utcnow
from finalmile.outbox import Effect, Topic
from finalmile.profiles import WebhookTarget
from finalmile_devtools.fake_pms import FakePms
from tests.webhook_contract import assert_declared

from .conftest import shipped_payload

OLD = "whsec_b2xkIHNlY3JldDogc3RpbGwgdmFsaWQgd2hpbGUgcm90YXRpbmc="
#: The npm package's version the Node check installs.
NPM_VERSION = "1.3"
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


def _captured(event: WebhookEvent, *, clock: Callable[[], float] = time.time) -> dict[str, Any]:
    """The headers and body finalmile sends for ``event`` signed with ``OLD``, as captured."""
    seen: list[httpx2.Request] = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(204)

    settings = WebhookTarget(url="https://pms.example/events", signature="standard", secret_env="S")
    target = WebhookWriteback(
        settings, keys=[standard_secret(OLD)], clock=clock, transport=httpx2.MockTransport(answer)
    )
    target.send(event)
    target.close()
    [request] = seen
    return {"headers": dict(request.headers), "body": request.content.decode()}


def _shipped(n: int) -> WebhookEvent:
    effect = Effect(
        n, f"shipped:{n}", Topic.SHIPPED, "pms", shipped_payload(n, f"RX-{n}"), utcnow()
    )
    return event_of(effect)


def test_the_official_library_accepts_what_is_sent_and_rejects_tampering(pms: FakePms) -> None:
    delivered = _send(pms.url, _shipped(1), OLD).status
    wrong = _send(pms.url, _shipped(2), NEW).status
    stale = _send(pms.url, _shipped(3), OLD, clock=lambda: time.time() - 600).status
    [captured] = pms.receiver.requests()
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
    [captured] = pms.receiver.requests()
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
    [captured] = pms.receiver.requests()
    assert assert_declared(captured["body"]) == "ping"


def test_every_event_type_is_declared_with_an_example_that_fits() -> None:
    for event_type, example in EXAMPLES.items():
        assert assert_declared(body_of(example)) == event_type
    assert set(EVENTS) == set(EXAMPLES) == {*(t.value for t in Topic), "ping"}


NODE_VERIFY = """
const { Webhook } = require(process.argv[2]);
const request = JSON.parse(require("fs").readFileSync(process.argv[3], "utf8"));
const verdicts = {};
for (const [name, c] of Object.entries(request.cases)) {
  try {
    new Webhook(c.secret).verify(c.body, c.headers);
    verdicts[name] = "accepted";
  } catch (error) {
    verdicts[name] = "rejected: " + error.message;
  }
}
console.log(JSON.stringify(verdicts));
"""


@pytest.fixture(scope="session")
def node_standardwebhooks() -> Path:
    """The npm package `standardwebhooks`, installed once into ``.finalmile/`` (not committed)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip(
            "Node.js (node and npm) is not installed: the npm standardwebhooks check needs it"
        )
    folder = Path(__file__).resolve().parents[3] / ".finalmile" / "node-standardwebhooks"
    package = folder / "node_modules" / "standardwebhooks"
    if not (package / "package.json").exists():
        folder.mkdir(parents=True, exist_ok=True)
        command = [npm, "install", "--no-audit", "--no-fund", "--prefix", str(folder)]
        installed = subprocess.run(
            [*command, f"standardwebhooks@{NPM_VERSION}"],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if installed.returncode != 0:
            pytest.skip(f"npm could not install standardwebhooks: {installed.stderr[-500:]}")
    return package


def test_the_npm_library_under_node_accepts_and_rejects_the_same(
    node_standardwebhooks: Path, tmp_path: Path
) -> None:
    fresh = _captured(_shipped(1))
    stale = _captured(_shipped(2), clock=lambda: time.time() - 600)
    cases = {
        "as sent": {"secret": OLD, **fresh},
        "changed body": {"secret": OLD, **fresh, "body": fresh["body"].replace("RX-1", "RX-9")},
        "wrong secret": {"secret": NEW, **fresh},
        "stale timestamp": {"secret": OLD, **stale},
    }
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"cases": cases}), encoding="utf-8")
    script = tmp_path / "verify.js"
    script.write_text(NODE_VERIFY, encoding="utf-8")
    ran = subprocess.run(
        ["node", str(script), str(node_standardwebhooks), str(request)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(ran.stdout) == {
        "as sent": "accepted",
        "changed body": "rejected: No matching signature found",
        "wrong secret": "rejected: No matching signature found",
        "stale timestamp": "rejected: Message timestamp too old",
    }


def test_the_served_openapi_document_declares_every_event(client: TestClient) -> None:
    served = client.get("/openapi.json").json()
    assert served["openapi"].startswith("3.1")
    assert list(served["webhooks"]) == [*(t.value for t in Topic), "ping"]
    for event_type, entry in served["webhooks"].items():
        body = entry["post"]["requestBody"]["content"]["application/json"]
        assert body["examples"]["example"]["value"]["type"] == event_type
        headers = {p["name"] for p in entry["post"]["parameters"] if p["in"] == "header"}
        assert {"webhook-id", "webhook-timestamp", "webhook-signature"} <= headers
