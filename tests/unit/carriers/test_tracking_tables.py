"""EasyPost and Shippo tracking payloads map onto one normalized status and detail set, through
one status table per provider that polling and webhooks share."""

from __future__ import annotations

import datetime as dt

import pytest

from finalmile.carriers.base import TrackingDetail as D
from finalmile.carriers.base import TrackingStatus as S
from finalmile.carriers.easypost import tracking as easypost_tracking
from finalmile.carriers.easypost import webhooks as easypost_webhooks
from finalmile.carriers.shippo import tracking as shippo_tracking
from finalmile.carriers.shippo import webhooks as shippo_webhooks
from finalmile.carriers.webhooks import WebhookEvent
from finalmile.errors import InputError

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
    assert set(easypost_tracking.STATUS) == set(EASYPOST_STATUSES)
    assert set(shippo_tracking.STATUS) == set(SHIPPO_STATUSES)


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
    assert easypost_tracking.normalize(status, detail) == expected


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
    assert shippo_tracking.normalize(status, substatus) == expected


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

    event = easypost_webhooks.parse_event(body)

    report = event.report
    assert event.event_id == "evt_1"
    assert report is not None
    assert (report.tracker_id, report.carrier, report.signed_by) == ("trk_1", "USPS", "J DOE")
    assert report.public_url == "https://track.example/trk_1"
    assert report.status is S.DELIVERED
    assert [(s.status, s.detail) for s in report.scans] == [
        (S.PRE_TRANSIT, D.LABEL_CREATED),
        (S.DELIVERED, D.DELIVERED),
    ]
    assert report.scans[1].occurred_at == dt.datetime(2026, 11, 23, 16, tzinfo=dt.UTC)
    assert report.scans[0].location == "BOSTON, MA, 02110"


def test_a_polled_tracker_is_the_report_its_webhook_carries() -> None:
    event = easypost_webhooks.parse_event(
        {"object": "Event", "id": "evt_1", "description": "tracker.updated", "result": _tracker()}
    )

    assert easypost_tracking.tracker_report(_tracker()) == event.report


def test_a_bare_status_is_one_undated_scan_seen_when_observed() -> None:
    seen = dt.datetime(2026, 11, 21, 9, tzinfo=dt.UTC)
    report = easypost_tracking.tracker_report(_tracker(tracking_details=[], status="in_transit"))

    (scan,) = report.scans_as_of(seen)

    assert report.scans == ()
    assert (scan.status, scan.detail, scan.occurred_at, scan.undated) == (
        S.IN_TRANSIT,
        D.IN_TRANSIT,
        seen,
        True,
    )
    later = report.scans_as_of(seen + dt.timedelta(hours=1))
    assert [s.key(report.tracking_number) for s in later] == [scan.key(report.tracking_number)]


def test_other_easypost_events_are_ignored_and_non_events_refused() -> None:
    assert easypost_webhooks.parse_event(
        {"object": "Event", "id": "evt_2", "description": "batch.created", "result": {}}
    ) == WebhookEvent("evt_2", None)
    with pytest.raises(InputError):
        easypost_webhooks.parse_event({"object": "Tracker", "id": "trk_1"})
    with pytest.raises(InputError):
        easypost_webhooks.parse_event(
            {"object": "Event", "id": "evt_3", "description": "tracker.updated", "result": {}}
        )


def test_a_scan_has_the_same_key_whichever_way_it_arrives() -> None:
    first = easypost_webhooks.parse_event(
        {"object": "Event", "id": "evt_1", "description": "tracker.created", "result": _tracker()}
    ).report
    again = easypost_tracking.tracker_report(_tracker())
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

    report = shippo_webhooks.parse_event(body, "sha256:1").report

    assert report is not None
    assert [s.status for s in report.scans] == [S.OUT_FOR_DELIVERY, S.DELIVERED]
    assert report.scans[0].location == "CAMBRIDGE, MA, 02139"
    ignored = shippo_webhooks.parse_event({"event": "transaction_created", "data": {}}, "sha256:2")
    assert ignored == WebhookEvent("sha256:2", None)
    assert (
        shippo_webhooks.event_id(b"{}")
        == shippo_webhooks.event_id(b"{}")
        != shippo_webhooks.event_id(b"[]")
    )
