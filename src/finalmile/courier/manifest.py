"""Driver manifests (JSON for the driver app, PDF for paper, ``manifest_pdf.py``) and the ETA
windows patients are told.

Minimum necessary: a manifest lists each stop's order id, address, windows, storage and signature
needs and the handover instructions, and nothing else about the patient (no name, phone, birth
date or medical record number).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from finalmile.courier.stops import CourierStop
from finalmile.routing import Route, Visit

ETA_MARGIN = dt.timedelta(minutes=15)
"""Half-width of the ETA window around the planned handover."""


def eta_window(
    visit: Visit, stop: CourierStop, margin: dt.timedelta = ETA_MARGIN
) -> tuple[dt.datetime, dt.datetime]:
    """The window to tell the patient: the planned handover +/- ``margin``, kept inside the
    delivery window the handover falls in (in the patient's time zone)."""
    window = next(
        (w for w in stop.windows if w.start <= visit.service_start <= w.end), stop.windows[0]
    )
    zone = window.start.tzinfo
    start = max(visit.service_start - margin, window.start)
    end = min(visit.service_start + margin, window.end + stop.to_stop().service)
    return start.astimezone(zone), max(start, end).astimezone(zone)


@dataclass(frozen=True, slots=True)
class SheetStop:
    """One line of a manifest: the stop's place in the route, its job and its ETA window."""

    sequence: int
    job: CourierStop
    eta: tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True, slots=True)
class RouteSheet:
    """Everything a driver's manifest shows for one route, whatever its format."""

    driver_id: str
    site_id: str
    departure: dt.datetime
    return_time: dt.datetime
    distance_m: int
    breaks: tuple[tuple[dt.datetime, dt.datetime], ...]
    stops: tuple[SheetStop, ...]

    def needs(self) -> tuple[int, int]:
        """How many stops need the cooler and how many the lockbox."""
        return sum(s.job.cold for s in self.stops), sum(s.job.controlled for s in self.stops)


def route_sheet(route: Route, jobs: Mapping[str, CourierStop], *, site_id: str) -> RouteSheet:
    """The sheet of a just-planned ``route`` leaving from ``site_id``."""
    return RouteSheet(
        driver_id=route.driver_id,
        site_id=site_id,
        departure=route.departure,
        return_time=route.return_time,
        distance_m=route.distance_m,
        breaks=tuple((b.start, b.end) for b in route.breaks),
        stops=tuple(
            SheetStop(n, jobs[v.stop_id], eta_window(v, jobs[v.stop_id]))
            for n, v in enumerate(route.visits, start=1)
        ),
    )


def manifest(sheet: RouteSheet, *, zone: dt.tzinfo) -> dict[str, Any]:
    """The driver's JSON manifest; route times in ``zone`` (the site's), stop times in each
    patient's zone."""
    cooler, lockbox = sheet.needs()
    return {
        "driver_id": sheet.driver_id,
        "site_id": sheet.site_id,
        "date": sheet.departure.astimezone(zone).date().isoformat(),
        "departure": sheet.departure.astimezone(zone).isoformat(),
        "return": sheet.return_time.astimezone(zone).isoformat(),
        "distance_km": round(sheet.distance_m / 1000, 1),
        "cooler_stops": cooler,
        "lockbox_stops": lockbox,
        "breaks": [
            {"from": start.astimezone(zone).isoformat(), "to": end.astimezone(zone).isoformat()}
            for start, end in sheet.breaks
        ],
        "stops": [_entry(stop) for stop in sheet.stops],
    }


def _entry(line: SheetStop) -> dict[str, Any]:
    stop, (eta_from, eta_to) = line.job, line.eta
    return {
        "sequence": line.sequence,
        "order_id": stop.order_id,
        "eta": {"from": eta_from.isoformat(), "to": eta_to.isoformat()},
        "windows": [{"from": w.start.isoformat(), "to": w.end.isoformat()} for w in stop.windows],
        "storage": stop.storage.value,
        "cooler": stop.cold,
        "lockbox": stop.controlled,
        "signature": stop.requires_signature,
        "packages": stop.packages,
        "address": handover_address(stop),
        "instructions": stop.instructions,
    }


def handover_address(stop: CourierStop) -> dict[str, Any]:
    """The ship-to address without the recipient's name."""
    return stop.address.model_dump(mode="json", exclude={"name"})
