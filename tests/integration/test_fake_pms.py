"""The fake PMS shipped for demos and tests checks Standard Webhooks signatures (signed here by
the official library),
keeps each idempotency key once (across restarts too), stores no patient data, answers as
``POST /control`` sets and counts what it did not store at ``GET /state``."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from standardwebhooks import Webhook

from finalmile_devtools.fake_pms import TOLERANCE_SECONDS, FakePms

SECRET = "whsec_ZmFrZSBQTVMgdGVzdHM6IGEgc2lnbmluZyBzZWNyZXQ="
OTHER_SECRET = "whsec_YW5vdGhlciBzZWNyZXQsIGF0IGxlYXN0IDI0IGJ5dGVz"
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
    secret: str = SECRET,
    at: float | None = None,
    sent: bytes | None = None,
) -> int:
    """POST ``sent`` (default ``body``) signed as ``body`` with ``secret`` at ``at``."""
    timestamp = dt.datetime.fromtimestamp(int(time.time() if at is None else at), dt.UTC)
    msg_id = "default:delivery_confirmed:7"
    headers = {
        "Content-Type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, timestamp, body),
        "Finalmile-Event-Id": "7",
        "Finalmile-Event-Type": "order.delivery_confirmed",
        "Idempotency-Key": "default:delivery_confirmed:7",
    }
    data = body if sent is None else sent
    return requests.post(pms.url, data=data, headers=headers, timeout=5).status_code


def _control(pms: FakePms, body: object) -> requests.Response:
    return requests.post(f"{pms.base_url}/control", json=body, timeout=5)


def _get(pms: FakePms, path: str) -> Any:
    return requests.get(f"{pms.base_url}{path}", timeout=5).json()


def test_signed_events_are_kept_once_and_remembered(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    body = json.dumps(EVENT).encode()
    with FakePms(secret=SECRET, events_file=events) as pms:
        answers = [
            _post(pms, body, secret=OTHER_SECRET),
            _post(pms, body, at=time.time() - TOLERANCE_SECONDS - 60),
            _post(pms, body, sent=body.replace(b"RX-7", b"RX-8")),
            _post(pms, body),
            _post(pms, body),
        ]
        listed = _get(pms, "/events")["events"]
        state = _get(pms, "/state")
    with FakePms(secret=SECRET, events_file=events) as restarted:
        after_restart = _post(restarted, body)

    assert answers == [401, 401, 401, 200, 200]
    assert after_restart == 200
    assert state == {
        "answer": {"status": 200, "times": None},
        "duplicates": 1,
        "refused": 0,
        "bad_signatures": 3,
    }
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
        assert _get(pms, "/events") == {"events": []}


def test_a_set_answer_refuses_the_next_events_without_storing_them(tmp_path: Path) -> None:
    body = json.dumps(EVENT).encode()
    with FakePms(secret=SECRET, events_file=tmp_path / "events.jsonl") as pms:
        set_answer = _control(pms, {"status": 503, "times": 2})
        answers = [
            _post(pms, body, secret=OTHER_SECRET),  # a bad signature uses up no refusal
            _post(pms, body),
            _post(pms, body),
            _post(pms, body),
        ]
        state = _get(pms, "/state")
        events = _get(pms, "/events")["events"]

    assert set_answer.json() == {"answer": {"status": 503, "times": 2}}
    assert answers == [401, 503, 503, 200]
    assert [e["idempotency_key"] for e in events] == ["default:delivery_confirmed:7"]
    assert state == {
        "answer": {"status": 200, "times": None},
        "duplicates": 0,  # the refused deliveries were not kept
        "refused": 2,
        "bad_signatures": 1,
    }


def test_an_answer_without_times_holds_until_it_is_changed(tmp_path: Path) -> None:
    body = json.dumps(EVENT).encode()
    with FakePms(secret=SECRET, events_file=tmp_path / "events.jsonl") as pms:
        _control(pms, {"status": 422}).raise_for_status()
        refused = [_post(pms, body) for _ in range(3)]
        while_refusing = _get(pms, "/state")
        _control(pms, {"status": 200}).raise_for_status()
        accepted = _post(pms, body)
        events = _get(pms, "/events")["events"]

    assert refused == [422, 422, 422]
    assert while_refusing["answer"] == {"status": 422, "times": None}
    assert while_refusing["refused"] == 3
    assert accepted == 200
    assert len(events) == 1


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("not an object", "body: not a JSON object"),
        ({"times": 1}, "status: None is not 200 (accept) or 400-599 (refuse)"),
        ({"status": 302}, "status: 302 is not 200 (accept) or 400-599 (refuse)"),
        ({"status": "503"}, "status: '503' is not 200 (accept) or 400-599 (refuse)"),
        ({"status": True}, "status: True is not 200 (accept) or 400-599 (refuse)"),
        ({"status": 503, "times": 0}, "times: 0 is not a whole number of 1 or more"),
        ({"status": 503, "times": 1.5}, "times: 1.5 is not a whole number of 1 or more"),
        ({"status": 503, "retries": 2}, "retries: unknown field (expected status, times)"),
    ],
)
def test_a_bad_control_request_is_refused_and_changes_nothing(
    tmp_path: Path, body: object, error: str
) -> None:
    with FakePms(secret=SECRET, events_file=tmp_path / "events.jsonl") as pms:
        answer = _control(pms, body)
        state = _get(pms, "/state")
        delivered = _post(pms, json.dumps(EVENT).encode())

    assert (answer.status_code, answer.json()) == (400, {"error": error})
    assert state["answer"] == {"status": 200, "times": None}
    assert delivered == 200
