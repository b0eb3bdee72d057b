"""Courier jobs from contract orders, day files, and driver manifests with minimal PHI."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import numpy as np
import pytest

from finalmile.canonical import DispatchOrder
from finalmile.courier.dayfile import CourierDay, load_day
from finalmile.courier.geocode import zip_centroid
from finalmile.courier.manifest import eta_window, manifest, route_sheet
from finalmile.courier.stops import courier_stop
from finalmile.errors import InputError
from finalmile.routing import Plan, Skill, TravelMatrix, check_plan
from finalmile.routing.plan import Route, Visit
from tests.unit.routing.line import PATIENT_TZ, at, window

PATIENT = {
    "mrn": "MRN-T1",
    "family": "Testpatient",
    "given": "Alpha",
    "birth_date": "1961-04-02",
    "phone": "+16175550100",
}


def order(
    storage: str = "refrigerated", *, signature: bool = True, items: int = 2
) -> dict[str, Any]:
    return {
        "order_id": "RX-T1",
        "connector": "default",
        "patient": PATIENT,
        "ship_to": {
            "name": "Alpha Testpatient",
            "line1": "12 Test St",
            "city": "Cambridge",
            "state": "MA",
            "postal_code": "02139",
        },
        "items": [{"quantity": 1, "storage": storage}] * items,
        "requires_signature": signature,
        "instructions": "Leave with concierge",
    }


def test_refrigerated_controlled_order_becomes_a_cooler_lockbox_stop() -> None:
    job = courier_stop(
        DispatchOrder.model_validate(order()),
        site_id="A",
        windows=(window("09:00", "12:00"),),
        controlled=True,
        teaching=dt.timedelta(minutes=15),
    )
    stop = job.to_stop()
    assert job.location == zip_centroid("02139")  # the ZIP centroid
    assert stop.skills == {Skill.COOLER, Skill.LOCKBOX}
    assert (stop.packages, stop.cold_packages) == (2, 2)
    assert stop.cold_chain_limit == dt.timedelta(hours=4)
    assert stop.service == dt.timedelta(minutes=4 + 3 + 15)
    assert stop.origin_site == "A"


def test_ambient_order_needs_no_cooler() -> None:
    job = courier_stop(
        DispatchOrder.model_validate(order("ambient", signature=False)),
        site_id="A",
        windows=(window("09:00", "12:00"),),
    )
    stop = job.to_stop()
    assert (stop.skills, stop.cold_packages, stop.cold_chain_limit) == (frozenset(), 0, None)
    assert stop.service == dt.timedelta(minutes=4)


def test_unknown_zip_is_named() -> None:
    data = order()
    data["ship_to"]["postal_code"] = "00000"
    with pytest.raises(InputError) as caught:
        courier_stop(
            DispatchOrder.model_validate(data), site_id="A", windows=(window("9:00", "10:00"),)
        )
    assert caught.value.location == "order RX-T1: ship_to.postal_code"


def day_file(**job: Any) -> dict[str, Any]:
    return {
        "sites": [{"site_id": "A", "lat": 42.37, "lon": -71.11}],
        "drivers": [
            {
                "driver_id": "D1",
                "shift_start": "2026-11-24T08:00:00-06:00",
                "shift_end": "2026-11-24T17:00:00-06:00",
                "start_site": "A",
                "capacity": 10,
                "cooler_capacity": 4,
                "skills": ["cooler"],
            }
        ],
        "jobs": [
            {
                "order": order(),
                "site_id": "A",
                "windows": [
                    {"start": "2026-11-24T09:00:00-06:00", "end": "2026-11-24T12:00:00-06:00"}
                ],
                **job,
            }
        ],
    }


def test_day_file_errors_name_the_field() -> None:
    data = day_file()
    del data["jobs"][0]["windows"][0]["end"]
    with pytest.raises(InputError) as caught:
        load_day(json.dumps(data), source="day.json")
    assert caught.value.location == "day.json: jobs.0.windows.0.end"
    assert "Testpatient" not in str(caught.value)


def test_day_file_rejects_an_unknown_site() -> None:
    with pytest.raises(InputError) as caught:
        load_day(json.dumps(day_file(site_id="Z")), source="day.json")
    assert caught.value.location == "day.json: jobs.0.site_id"


def test_manifest_lists_what_the_driver_needs_and_no_more() -> None:
    day = load_day(json.dumps(day_file()), source="day.json")
    visit = Visit("RX-T1", at("09:55"), at("10:00"), at("10:07"))
    route = Route("D1", at("09:40"), (visit,), (), at("10:30"), 12_345)
    assert check_plan(day.problem, Plan((route,), (), 12_345), _far_matrix(day)).violations == ()
    body = manifest(route_sheet(route, day.jobs, site_id="A"), zone=PATIENT_TZ)
    (entry,) = body["stops"]
    assert entry["order_id"] == "RX-T1"
    assert entry["address"]["line1"] == "12 Test St"
    assert (entry["cooler"], entry["signature"], entry["storage"]) == (True, True, "refrigerated")
    assert entry["eta"] == {"from": "2026-11-24T09:45:00-06:00", "to": "2026-11-24T10:15:00-06:00"}
    text = json.dumps(body)
    for phi in ("Testpatient", "Alpha", "MRN-T1", "1961-04-02", "+16175550100"):
        assert phi not in text


def test_eta_window_stays_inside_the_delivery_window() -> None:
    day = load_day(json.dumps(day_file()), source="day.json")
    start, end = eta_window(
        Visit("RX-T1", at("09:00"), at("09:00"), at("09:07")), day.jobs["RX-T1"]
    )
    assert (start, end) == (at("09:00"), at("09:15"))


def _far_matrix(day: CourierDay) -> TravelMatrix:
    """Site and stop 10 minutes (6 km) apart."""
    ten = np.array([[0, 600], [600, 0]], dtype=np.int64)
    return TravelMatrix(ten * 10, ten)
