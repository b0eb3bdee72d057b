"""Pure builders: the webhook signature and the HL7 v2 status update."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

from finalmile.connectors.writeback import body_of, event_of
from finalmile.connectors.writeback.hl7_message import build_status_update
from finalmile.connectors.writeback.signing import sign_finalmile
from finalmile.outbox import Topic
from finalmile.outbox.ports import Effect
from finalmile.profiles.writeback import Hl7Target

EFFECT = Effect(
    event_id=7,
    key="delivery_confirmed:3",
    topic=Topic.DELIVERY_CONFIRMED,
    connector="pms",
    payload={
        "order_id": "RX|1^2",
        "order_pk": 3,
        "rx_number": "RX|1^2",
        "items": [
            {"ndc": "00002-8215-01", "description": "Insulin", "quantity": "2", "unit": "mL"}
        ],
        "date_of_service": "2026-11-23",
        "date_of_service_basis": "delivered",
        "shipped_at": None,
        "delivered_at": "2026-11-23T18:10:00+00:00",
        "carrier": None,
        "service": None,
        "tracking_number": None,
        "pod_reference": "POD-9",
    },
    created_at=dt.datetime(2026, 11, 23, 18, 11, tzinfo=dt.UTC),
)


def test_older_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    body = body_of(event_of(EFFECT))
    expected = hmac.new(b"k", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert sign_finalmile(b"k", 1_700_000_000, body) == f"v1={expected}"
    envelope = json.loads(body)
    assert envelope["idempotency_key"] == "pms:delivery_confirmed:3"
    assert envelope["type"] == "order.delivery_confirmed"
    assert envelope["data"]["pod_reference"] == "POD-9"


def test_hl7_update_escapes_values_and_carries_the_pod() -> None:
    settings = Hl7Target(host="h", port=1, message="rds_o13")
    now = dt.datetime(2026, 11, 23, 18, 12, tzinfo=dt.UTC)
    segments = build_status_update(EFFECT, settings, now=now).decode().split("\r")
    orc = next(s for s in segments if s.startswith("ORC|"))
    assert orc.split("|")[:6] == ["ORC", "SC", "RX\\F\\1\\S\\2", "", "", "CM"]
    rxd = next(s for s in segments if s.startswith("RXD|")).split("|")
    assert rxd[1:6] == ["1", "00002-8215-01^Insulin^NDC", "20261123181000+0000", "2", "mL"]
    obx = {s.split("|")[3].split("^")[0]: s.split("|")[5] for s in segments if s.startswith("OBX")}
    assert obx == {"DELIVERED": "20261123181000+0000", "POD": "POD-9"}
    assert segments[-2].startswith("NTE|1||Delivered proof of delivery POD-9")
