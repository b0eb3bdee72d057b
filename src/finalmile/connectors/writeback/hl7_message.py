"""Pure building of the HL7 v2 status update an outbox effect becomes (no I/O).

``orc_sc``: ``ORM^O01`` whose ORC-1 is ``SC`` (status changed; HL7 v2.5 §4.5.1, Table 0119),
ORC-2 the PMS's order number, ORC-5 ``IP`` while in transit or ``CM`` once delivered (Table 0038),
then one ``OBX`` per fact (carrier, service, tracking number, shipped/delivered time) and an
``NTE`` saying the same in words. ``rds_o13``: ``RDS^O13`` with the same ORC, an ``RXD`` per
dispensed item (when the payload lists items), the same OBX and NTE. MSH-10 is ``FM<event id>``,
stable across retries and replays so the PMS can recognise a resend. No PID: the order number
identifies the patient's order, and no patient data leaves in a status update.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from finalmile.adapters.hl7v2 import Delimiters, escape
from finalmile.outbox import Effect, Topic
from finalmile.profiles import Hl7Message, Hl7Target

_D = Delimiters()
_STATUS = {
    Topic.SHIPPED: "IP",
    Topic.DELIVERED: "CM",
    Topic.DELIVERY_CONFIRMED: "CM",
    Topic.CANCELLED: "CA",
}
_VERBS = {Topic.SHIPPED: "Shipped", Topic.CANCELLED: "Cancelled by the pharmacy"}
_FACTS = (
    ("carrier", "CARRIER", "Carrier", "ST"),
    ("service", "SERVICE", "Service level", "ST"),
    ("tracking_number", "TRACKING", "Tracking number", "ST"),
    ("shipped_at", "SHIPPED", "Shipped at", "TS"),
    ("delivered_at", "DELIVERED", "Delivered at", "TS"),
    ("pod_reference", "POD", "Proof of delivery reference", "ST"),
    ("recipient_relationship", "RECIPIENT", "Received by (relationship)", "ST"),
)


def control_id(effect: Effect) -> str:
    """MSH-10 of the effect's message."""
    return f"FM{effect.event_id}"


def build_status_update(effect: Effect, settings: Hl7Target, *, now: dt.datetime) -> bytes:
    """The ER7 message (segments ended by CR, UTF-8) telling the PMS what happened to an order."""
    payload = effect.payload
    rds = settings.message is Hl7Message.RDS_O13
    kind = "RDS^O13^RDS_O13" if rds else "ORM^O01^ORM_O01"
    segments = [
        _segment(
            "MSH",
            _D.encoding_characters,
            settings.sending_application,
            settings.sending_facility,
            settings.receiving_application,
            settings.receiving_facility,
            _ts(now),
            "",
            kind,
            control_id(effect),
            "P",
            settings.version,
            "",
            "",
            "AL",
            "NE",
            "",
            "UNICODE UTF-8",
            escaped=False,
        ),
        _segment(
            "ORC",
            "SC",
            payload["order_id"],
            "",
            "",
            _STATUS[effect.topic],
            "",
            "",
            "",
            _ts(now),
        ),
    ]
    if rds:
        segments += _rxd(payload)
    segments += _observations(payload)
    segments.append(_segment("NTE", "1", "", _note(effect.topic, payload)))
    return ("\r".join(segments) + "\r").encode("utf-8")


def _rxd(payload: dict[str, Any]) -> list[str]:
    items = payload.get("items") or [{}]
    when = payload.get("delivered_at") or payload.get("shipped_at")
    rows = []
    for number, item in enumerate(items, start=1):
        code = f"{escape(item.get('ndc') or '', _D)}^{escape(item.get('description') or '', _D)}"
        code += "^NDC" if item.get("ndc") else ""
        rows.append(
            "|".join(
                [
                    "RXD",
                    str(number),
                    code if item else "",
                    _ts(dt.datetime.fromisoformat(when)) if when else "",
                    escape(str(item.get("quantity") or ""), _D),
                    escape(item.get("unit") or "", _D),
                ]
            )
        )
    return rows


def _observations(payload: dict[str, Any]) -> list[str]:
    rows: list[str] = []
    for name, code, text, value_type in _FACTS:
        value = payload.get(name)
        if value is None:
            continue
        shown = _ts(dt.datetime.fromisoformat(value)) if value_type == "TS" else str(value)
        rows.append(
            _segment(
                "OBX",
                str(len(rows) + 1),
                value_type,
                f"{code}^{text}^L",
                "",
                shown,
                "",
                "",
                "",
                "",
                "",
                "F",
                escaped_from=5,
            )
        )
    return rows


def _note(topic: Topic, payload: dict[str, Any]) -> str:
    verb = _VERBS.get(topic, "Delivered")
    words = [verb]
    if payload.get("carrier"):
        words.append(f"with {payload['carrier']}")
    if payload.get("service"):
        words.append(str(payload["service"]))
    if payload.get("tracking_number"):
        words.append(f"tracking {payload['tracking_number']}")
    if topic is Topic.DELIVERY_CONFIRMED:
        words.append(f"proof of delivery {payload['pod_reference']}")
    return " ".join(words)


def _segment(name: str, *fields: str, escaped: bool = True, escaped_from: int = 1) -> str:
    """A segment; field values from ``escaped_from`` (1-based) on are escaped unless told not."""
    if not escaped:
        return "|".join([name, *fields])
    out = [name]
    for number, value in enumerate(fields, start=1):
        out.append(escape(value, _D) if number >= escaped_from else value)
    return "|".join(out)


def _ts(moment: dt.datetime) -> str:
    """HL7 DTM with seconds and the UTC offset."""
    return moment.astimezone(dt.UTC).strftime("%Y%m%d%H%M%S+0000")
