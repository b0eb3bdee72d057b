"""Tracker scan plans: order, times and exceptional endings."""

from __future__ import annotations

import datetime as dt

from finalmile.geo import ZipCentroids
from finalmile_sandbox.catalogue import Carrier
from finalmile_sandbox.tracking import Outcome, new_tracking_code, plan

BOUGHT = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)
FRIDAY, TUESDAY = dt.date(2026, 11, 20), dt.date(2026, 11, 24)


def _plan(outcome: Outcome, bought: dt.datetime = BOUGHT) -> list[tuple[str, str]]:
    scans = plan(
        created=bought,
        shipped=FRIDAY,
        delivered=TUESDAY,
        origin=ZipCentroids().locate("02110", "US"),
        destination=ZipCentroids().locate("90012", "US"),
        outcome=outcome,
    )
    return [(scan.at.strftime("%a %H:%M"), scan.status) for scan in scans]


def test_delivered_plan() -> None:
    assert _plan(Outcome.DELIVERED) == [
        ("Fri 15:00", "pre_transit"),
        ("Fri 21:00", "in_transit"),
        ("Sat 04:00", "in_transit"),
        ("Sun 04:00", "in_transit"),
        ("Mon 04:00", "in_transit"),
        ("Tue 08:00", "out_for_delivery"),
        ("Tue 16:00", "delivered"),
    ]


def test_exceptional_endings_and_early_stops() -> None:
    assert _plan(Outcome.RETURN_TO_SENDER)[-1] == ("Tue 16:00", "return_to_sender")
    assert _plan(Outcome.FAILURE)[-1] == ("Tue 16:00", "failure")
    assert _plan(Outcome.PRE_TRANSIT) == [("Fri 15:00", "pre_transit")]
    assert _plan(Outcome.IN_TRANSIT)[-1] == ("Mon 04:00", "in_transit")
    assert _plan(Outcome.OUT_FOR_DELIVERY)[-1] == ("Tue 08:00", "out_for_delivery")
    assert _plan(Outcome.UNKNOWN) == []


def test_late_purchase_is_accepted_an_hour_later() -> None:
    late = BOUGHT.replace(hour=22, minute=30)

    assert _plan(Outcome.DELIVERED, late)[:2] == [
        ("Fri 22:30", "pre_transit"),
        ("Fri 23:30", "in_transit"),
    ]


def test_scans_carry_places() -> None:
    scans = plan(
        created=BOUGHT,
        shipped=FRIDAY,
        delivered=TUESDAY,
        origin=ZipCentroids().locate("02110", "US"),
        destination=ZipCentroids().locate("90012", "US"),
    )

    assert (scans[0].city, scans[0].state) == ("BOSTON", "MA")
    assert (scans[-1].city, scans[-1].zip) == ("LOS ANGELES", "90012")


def test_tracking_numbers_look_like_the_carriers() -> None:
    usps, ups, fedex = (new_tracking_code(c) for c in (Carrier.USPS, Carrier.UPS, Carrier.FEDEX))

    assert usps.startswith("9400") and len(usps) == 22 and usps.isdigit()
    assert ups.startswith("1Z") and len(ups) == 18
    assert len(fedex) == 12 and fedex.isdigit()
    assert new_tracking_code(Carrier.USPS) != usps
