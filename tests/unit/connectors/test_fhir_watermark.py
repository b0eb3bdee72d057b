"""How far a FHIR poll's high-water mark moves after each page."""

from __future__ import annotations

from typing import Any

from finalmile.connectors.fhir.watermark import Stamp, Watermark


def _md(rid: str, updated: str | None) -> dict[str, Any]:
    meta = {"lastUpdated": updated} if updated else {}
    return {"resourceType": "MedicationDispense", "id": rid, "meta": meta}


T1, T2, T3 = "2026-11-20T09:00:01Z", "2026-11-20T09:00:02.000+00:00", "2026-11-20T04:00:03-05:00"


def test_a_middle_page_stops_below_its_last_timestamp_and_the_last_page_at_the_greatest() -> None:
    mark = Watermark(None)
    assert mark.after_page([_md("a", T1), _md("b", T2)], last=False) == T1
    assert mark.after_page([_md("c", T2), _md("d", T3)], last=False) == T2
    assert mark.after_page([_md("e", T3)], last=True) == T3


def test_a_page_of_one_timestamp_keeps_the_mark() -> None:
    mark = Watermark(T1)
    assert mark.after_page([_md("a", T2), _md("b", T2)], last=False) == T1
    assert mark.after_page([_md("c", T2)], last=True) == T2


def test_a_resource_seen_twice_keeps_the_start() -> None:
    mark = Watermark(None)
    assert mark.after_page([_md("a", T1), _md("b", T2)], last=False) == T1
    assert mark.after_page([_md("a", T3)], last=True) is None
    assert not mark.reliable


def test_unsorted_pages_advance_only_when_the_poll_completes() -> None:
    mark = Watermark(T1)
    assert mark.after_page([_md("a", T3), _md("b", T2)], last=False) == T1
    assert mark.after_page([_md("c", T2)], last=True) == T3


def test_resources_without_a_usable_timestamp_do_not_move_it() -> None:
    mark = Watermark(T1)
    assert mark.after_page([_md("a", None), _md("b", "2026-11-20T09:00:09")], last=True) == T1


def test_stamps_compare_as_instants_and_keep_the_server_text() -> None:
    assert Stamp.parse(T3) == Stamp.parse("2026-11-20T09:00:03+00:00")
    stamp = Stamp.parse(T3)
    assert stamp is not None and stamp.text == T3
    assert Stamp.parse("not a time") is None
