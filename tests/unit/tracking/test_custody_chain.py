"""The custody chain's hashes: any edit, reordering or gap is found and named."""

from __future__ import annotations

import datetime as dt

from finalmile.tracking.custody import GENESIS, event_hash, verify_chain
from finalmile.tracking.models import CustodyEvent

T0 = dt.datetime(2026, 11, 20, 15, tzinfo=dt.UTC)


def build(kinds: list[str]) -> list[CustodyEvent]:
    events, previous = [], GENESIS
    for seq, kind in enumerate(kinds, start=1):
        event = CustodyEvent(
            order_pk=7,
            seq=seq,
            kind=kind,
            actor="carrier:USPS",
            at=T0 + dt.timedelta(hours=seq),
            detail={"shipment": "S1"},
            prev_hash=previous,
            hash="",
            recorded_at=T0 + dt.timedelta(hours=seq, seconds=1),
        )
        event.hash = event_hash(event, previous)
        previous = event.hash
        events.append(event)
    return events


KINDS = ["packed", "transferred_to_carrier", "out_for_delivery", "delivered"]


def test_an_untouched_chain_verifies() -> None:
    check = verify_chain(build(KINDS))
    assert check.ok and check.events == 4 and check.head_hash is not None


def test_an_edited_detail_is_named() -> None:
    events = build(KINDS)
    events[2].detail = {"shipment": "S2"}
    check = verify_chain(events)
    assert (check.first_bad_seq, check.reason) == (3, "content does not match its hash")


def test_a_recomputed_hash_breaks_the_next_link() -> None:
    events = build(KINDS)
    events[1].actor = "driver:someone-else"
    events[1].hash = event_hash(events[1], events[1].prev_hash)
    check = verify_chain(events)
    assert (check.first_bad_seq, check.reason) == (3, "does not link to the event before it")


def test_a_deleted_event_is_a_gap() -> None:
    events = build(KINDS)
    del events[1]
    assert verify_chain(events).first_bad_seq == 3
