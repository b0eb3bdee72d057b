"""Driver manifests (JSON for the driver app) and the ETA windows patients are told.

Minimum necessary: a manifest lists each stop's order id, address, windows, storage and signature
needs and the handover instructions, and nothing else about the patient (no name, phone, birth
date or medical record number).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from finalmile.routing.courier import CourierStop
from finalmile.routing.plan import Route, Visit

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


def manifest(route: Route, stops: Mapping[str, CourierStop], *, zone: dt.tzinfo) -> dict[str, Any]:
    """The driver's manifest for ``route``; route times in ``zone`` (the site's), stop times in
    each patient's zone."""
    entries = []
    for sequence, visit in enumerate(route.visits, start=1):
        stop = stops[visit.stop_id]
        eta_from, eta_to = eta_window(visit, stop)
        entries.append(
            {
                "sequence": sequence,
                "order_id": stop.order_id,
                "eta": {"from": eta_from.isoformat(), "to": eta_to.isoformat()},
                "windows": [
                    {"from": w.start.isoformat(), "to": w.end.isoformat()} for w in stop.windows
                ],
                "storage": stop.storage.value,
                "cooler": stop.cold,
                "lockbox": stop.controlled,
                "signature": stop.requires_signature,
                "packages": stop.packages,
                "address": stop.address.model_dump(mode="json", exclude={"name"}),
                "instructions": stop.instructions,
            }
        )
    return {
        "driver_id": route.driver_id,
        "departure": route.departure.astimezone(zone).isoformat(),
        "return": route.return_time.astimezone(zone).isoformat(),
        "distance_km": round(route.distance_m / 1000, 1),
        "breaks": [
            {"from": b.start.astimezone(zone).isoformat(), "to": b.end.astimezone(zone).isoformat()}
            for b in route.breaks
        ],
        "stops": entries,
    }
