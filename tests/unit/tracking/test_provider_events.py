"""EasyPost and Shippo tracking payloads map onto one normalized status and detail set."""

from __future__ import annotations

import datetime as dt

import pytest

from finalmile.carriers.base import TrackingStatus as S
from finalmile.errors import InputError
from finalmile.tracking import easypost_events, shippo_events
from finalmile.tracking.status import TrackingDetail as D

EASYPOST_STATUSES = [
    "unknown",
    "pre_transit",
    "in_transit",
    "out_for_delivery",
    "delivered",
    "available_for_pickup",
    "return_to_sender",
    "failure",
    "cancelled",
    "error",
]
SHIPPO_STATUSES = ["UNKNOWN", "PRE_TRANSIT", "TRANSIT", "DELIVERED", "RETURNED", "FAILURE"]


def test_every_documented_status_has_a_mapping() -> None:
    assert set(easypost_events.STATUS) == set(EASYPOST_STATUSES)
    assert set(shippo_events.STATUS) == set(SHIPPO_STATUSES)


@pytest.mark.parametrize(
    ("status", "detail", "expected"),
    [
        ("in_transit", "arrived_at_facility", (S.IN_TRANSIT, D.ARRIVED_AT_FACILITY)),
        ("delivered", "arrived_at_destination", (S.DELIVERED, D.DELIVERED)),
        (
            "available_for_pickup",
            "arrived_at_pickup_location",
            (S.IN_TRANSIT, D.AVAILABLE_FOR_PICKUP),
        ),
        ("return_to_sender", "return", (S.RETURNED, D.RETURN_TO_SENDER)),
        ("return_to_sender", "refused", (S.RETURNED, D.REFUSED)),
        ("failure", "delivery_exception", (S.FAILURE, D.DELIVERY_ATTEMPTED)),
        ("in_transit", "a_code_easypost_adds_later", (S.IN_TRANSIT, D.OTHER)),
        ("something_new", None, (S.UNKNOWN, D.OTHER)),
    ],
)
def test_easypost_status_and_detail(status: str, detail: str | None, expected: tuple) -> None:
    assert easypost_events.normalize(status, detail) == expected


@pytest.mark.parametrize(
    ("status", "substatus", "expected"),
    [
        ("TRANSIT", "out_for_delivery", (S.OUT_FOR_DELIVERY, D.OUT_FOR_DELIVERY)),
        ("TRANSIT", "package_departed", (S.IN_TRANSIT, D.DEPARTED_FACILITY)),
        ("FAILURE", "delivery_attempted", (S.FAILURE, D.DELIVERY_ATTEMPTED)),
        ("DELIVERED", None, (S.DELIVERED, D.DELIVERED)),
        ("RETURNED", None, (S.RETURNED, D.RETURN_TO_SENDER)),
        ("PRE_TRANSIT", "information_received", (S.PRE_TRANSIT, D.LABEL_CREATED)),
        ("TRANSIT", "not_yet_documented", (S.IN_TRANSIT, D.OTHER)),
    ],
)
def test_shippo_status_and_substatus(status: str, substatus: str | None, expected: tuple) -> None:
    assert shippo_events.normalize(status, substatus) == expected


def _tracker(**extra: object) -> dict:
    return {
        "id": "trk_1",
        "object": "Tracker",
        "tracking_code": "9400100000000000000001",
        "carrier": "USPS",
        "status": "delivered",
        "signed_by": "J DOE",
        "public_url": "https://track.example/trk_1",
        "tracking_details": [
            {
                "status": "pre_transit",
                "status_detail": "label_created",
                "datetime": "2026-11-20T15:00:00Z",
                "message": "Label created",
                "tracking_location": {"city": "BOSTON", "state": "MA", "zip": "02110"},
            },
            {
                "status": "delivered",
                "status_detail": "arrived_at_destination",
                "datetime": "2026-11-23T16:00:00Z",
                "message": "Delivered",
                "tracking_location": {},
            },
        ],
        **extra,
    }


def test_an_easypost_tracker_event_becomes_a_report_with_delivery_evidence() -> None:
    body = {
        "object": "Event",
        "id": "evt_1",
        "description": "tracker.updated",
        "result": _tracker(),
    }

    event_id, report = easypost_events.parse_event(body)

    assert event_id == "evt_1"
    assert report is not None
    assert (report.tracker_id, report.carrier, report.signed_by) == ("trk_1", "USPS", "J DOE")
    assert report.proof_url == "https://track.example/trk_1"
    assert [(s.status, s.detail) for s in report.scans] == [
        (S.PRE_TRANSIT, D.LABEL_CREATED),
        (S.DELIVERED, D.DELIVERED),
    ]
    assert report.scans[1].occurred_at == dt.datetime(2026, 11, 23, 16, tzinfo=dt.UTC)
    assert report.scans[0].location == "BOSTON, MA, 02110"


def test_other_easypost_events_are_ignored_and_non_events_refused() -> None:
    assert easypost_events.parse_event(
        {"object": "Event", "id": "evt_2", "description": "batch.created", "result": {}}
    ) == ("evt_2", None)
    with pytest.raises(InputError):
        easypost_events.parse_event({"object": "Tracker", "id": "trk_1"})
    with pytest.raises(InputError):
        easypost_events.parse_event(
            {"object": "Event", "id": "evt_3", "description": "tracker.updated", "result": {}}
        )


def test_a_scan_has_the_same_key_whichever_way_it_arrives() -> None:
    _, first = easypost_events.parse_event(
        {"object": "Event", "id": "evt_1", "description": "tracker.created", "result": _tracker()}
    )
    _, again = easypost_events.parse_event(
        {"object": "Event", "id": "evt_9", "description": "tracker.updated", "result": _tracker()}
    )
    assert first is not None and again is not None
    number = first.tracking_number
    assert [s.key(number) for s in first.scans] == [s.key(number) for s in again.scans]
    assert len({s.key(number) for s in first.scans}) == 2


def test_a_shippo_track_updated_becomes_a_report() -> None:
    body = {
        "event": "track_updated",
        "test": True,
        "data": {
            "carrier": "usps",
            "tracking_number": "SHIPPO_DELIVERED",
            "tracking_history": [
                {
                    "status": "TRANSIT",
                    "status_details": "Out for Delivery",
                    "status_date": "2026-11-23T08:00:00.000000Z",
                    "substatus": {"code": "out_for_delivery", "text": "", "action_required": False},
                    "location": {"city": "CAMBRIDGE", "state": "MA", "zip": "02139"},
                },
                {
                    "status": "DELIVERED",
                    "status_details": "Delivered",
                    "status_date": "2026-11-23T16:00:00.000000Z",
                    "substatus": {"code": "delivered", "text": "", "action_required": False},
                },
            ],
        },
    }

    report = shippo_events.parse_event(body)

    assert report is not None
    assert [s.status for s in report.scans] == [S.OUT_FOR_DELIVERY, S.DELIVERED]
    assert shippo_events.parse_event({"event": "transaction_created", "data": {}}) is None
    assert (
        shippo_events.event_id(b"{}")
        == shippo_events.event_id(b"{}")
        != shippo_events.event_id(b"[]")
    )
