"""How purge words a legal hold: the day it was placed, in the pharmacy's time zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from finalmile.evidence.archive.holds import held_since


def test_the_hold_day_is_the_sites_calendar_day() -> None:
    late_evening_in_boston = dt.datetime(2026, 11, 22, 3, 30, tzinfo=dt.UTC)

    assert held_since(late_evening_in_boston, ZoneInfo("America/New_York")) == (
        "legal hold since 2026-11-21"
    )
    assert held_since(late_evening_in_boston, dt.UTC) == "legal hold since 2026-11-22"
