"""The fake PMS shipped for demos and tests checks signatures the way docs/webhooks.md says,
keeps each idempotency key once (across restarts too) and stores no patient data."""

from __future__ import annotations

import json
import time
from pathlib import Path

import requests

from finalmile.connectors.writeback.webhook import sign
from finalmile.testing.fake_pms import TOLERANCE_SECONDS, FakePms

SECRET = b"fake-pms-test-secret"
EVENT = {
    "id": 7,
    "type": "order.delivery_confirmed",
    "connector": "default",
    "idempotency_key": "default:delivery_confirmed:7",
    "created_at": "2026-11-23T18:10:04+00:00",
    "data": {"order_id": "RX-7", "tracking_number": "1Z999", "recipient_relationship": "self"},
}


def _post(
    pms: FakePms,
    body: bytes,
    *,
    secret: bytes = SECRET,
    at: float | None = None,
    sent: bytes | None = None,
) -> int:
    """POST ``sent`` (default ``body``) signed as ``body`` with ``secret`` at ``at``."""
    timestamp = int(time.time() if at is None else at)
    headers = {
        "Content-Type": "application/json",
        "Finalmile-Timestamp": str(timestamp),
        "Finalmile-Signature": sign(secret, timestamp, body),
        "Finalmile-Event-Id": "7",
        "Finalmile-Event-Type": "order.delivery_confirmed",
        "Idempotency-Key": "default:delivery_confirmed:7",
    }
    data = body if sent is None else sent
    return requests.post(pms.url, data=data, headers=headers, timeout=5).status_code


def test_signed_events_are_kept_once_and_remembered(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    body = json.dumps(EVENT).encode()
    with FakePms(secret=SECRET, events_file=events) as pms:
        answers = [
            _post(pms, body, secret=b"another secret"),
            _post(pms, body, at=time.time() - TOLERANCE_SECONDS - 60),
            _post(pms, body, sent=body.replace(b"RX-7", b"RX-8")),
            _post(pms, body),
            _post(pms, body),
        ]
        listed = requests.get(f"{pms.base_url}/events", timeout=5).json()["events"]
    with FakePms(secret=SECRET, events_file=events) as restarted:
        after_restart = _post(restarted, body)

    assert answers == [401, 401, 401, 200, 200]
    assert after_restart == 200
    assert len(events.read_text().splitlines()) == 1
    (kept,) = listed
    assert {k: kept[k] for k in ("type", "order_id", "idempotency_key", "tracking_number")} == {
        "type": "order.delivery_confirmed",
        "order_id": "RX-7",
        "idempotency_key": "default:delivery_confirmed:7",
        "tracking_number": "1Z999",
    }


def test_a_signed_body_that_is_not_an_event_is_refused(tmp_path: Path) -> None:
    with FakePms(secret=SECRET, events_file=tmp_path / "events.jsonl") as pms:
        assert _post(pms, b"not json") == 400
        assert _post(pms, json.dumps({"data": {}}).encode()) == 400
        assert requests.get(f"{pms.base_url}/events", timeout=5).json() == {"events": []}
