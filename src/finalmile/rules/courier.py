"""Courier runs from the site's cost model: base + per mile + surcharges, within its shifts.

For each shift the earliest run that can leave (after handling) and arrive before the shift ends
is offered, over the next week of open days; a later, cheaper run may still meet the deadline.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, lru_cache
from typing import NamedTuple

from finalmile.canonical import StorageClass
from finalmile.rules.site import Site

CENT = Decimal("0.01")
ONE_DAY = dt.timedelta(days=1)
FARE_CACHE_LIMIT = 4096


class CourierRun(NamedTuple):
    """One possible courier delivery: when it leaves, when it arrives, what it costs."""

    label: str
    leaves: dt.datetime
    arrives: dt.datetime
    cost: Decimal


def courier_runs(
    site: Site, now: dt.datetime, miles: float, storage: StorageClass
) -> list[CourierRun]:
    """The earliest feasible run of each shift, soonest first (empty without a courier)."""
    courier = site.config.courier
    if courier is None:
        return []
    drive = _minutes(math.ceil(miles / courier.average_speed_mph * 60))
    handling = _minutes(courier.handling_minutes)
    if handling + drive > site.longest_shift:
        return []
    fares = _fares(site, miles, storage)
    local = _next_minute(now.astimezone(site.zone))
    trip = handling + drive
    only = len(courier.shifts) == 1
    runs: list[CourierRun] = []
    for index, shift in enumerate(courier.shifts):
        run = _first_run(site, index, local, trip=trip, handling=handling)
        if run is not None:
            label = _label(courier.label, shift.name, index, only)
            runs.append(CourierRun(label, run[0], run[1], fares[index]))
    if len(runs) > 1:
        runs.sort(key=lambda r: (r.arrives, r.label))
    return runs


def _fares(site: Site, miles: float, storage: StorageClass) -> tuple[Decimal, ...]:
    """The price of a run on each shift, worked out once per distance and storage class."""
    key = (miles, storage)
    fares = site.courier_fares.get(key)
    if fares is None:
        courier = site.config.courier
        assert courier is not None
        cost = courier.base + courier.per_mile * Decimal(f"{miles:.1f}")
        cost += courier.storage_surcharges.get(storage, Decimal(0))
        fares = tuple(
            (cost + shift.surcharge).quantize(CENT, ROUND_HALF_UP) for shift in courier.shifts
        )
        if len(site.courier_fares) >= FARE_CACHE_LIMIT:
            site.courier_fares.clear()
        site.courier_fares[key] = fares
    return fares


def _first_run(
    site: Site, index: int, local: dt.datetime, *, trip: dt.timedelta, handling: dt.timedelta
) -> tuple[dt.datetime, dt.datetime] | None:
    if trip > site.shift_lengths[index]:
        return None
    for start, end in site.shift_windows(index, local.date()):
        begin = max(start, local)
        if begin + trip <= end:
            return begin + handling, begin + trip
    return None


def _next_minute(moment: dt.datetime) -> dt.datetime:
    whole = moment.replace(second=0, microsecond=0)
    return whole if whole == moment else whole + dt.timedelta(minutes=1)


@lru_cache(maxsize=4096)
def _minutes(count: int) -> dt.timedelta:
    return dt.timedelta(minutes=count)


@cache
def _label(courier: str, shift: str | None, index: int, only: bool) -> str:
    return courier if only else f"{courier} ({shift or f'shift {index + 1}'})"
