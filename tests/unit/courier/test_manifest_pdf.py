"""The paper manifest: every stop in order with its windows across page breaks, the route's
equipment needs in the header, and no patient name, phone, birth date or MRN."""

from __future__ import annotations

import datetime as dt
import io
import re

from pypdf import PdfReader

from finalmile.canonical import DispatchOrder
from finalmile.courier.manifest import RouteSheet, SheetStop, manifest, route_sheet
from finalmile.courier.manifest_pdf import manifest_pdf
from finalmile.courier.stops import CourierStop, courier_stop
from finalmile.routing.plan import Route, Visit
from tests.unit.courier.test_courier_day import PATIENT, order
from tests.unit.routing.line import PATIENT_TZ, at, window

STOPS = 32


def _job(n: int) -> CourierStop:
    data = order("refrigerated" if n % 3 == 0 else "ambient", signature=n % 2 == 0)
    data["order_id"] = f"RX-{n:03d}"
    data["ship_to"]["line1"] = f"{n} Test St"
    opens = dt.time(8 + n // 8, (n % 8) * 7)
    closes = dt.time(9 + n // 8, (n % 8) * 7)
    return courier_stop(
        DispatchOrder.model_validate(data),
        site_id="A",
        windows=(window(opens.strftime("%H:%M"), closes.strftime("%H:%M")),),
        controlled=n == 5,
    )


def _sheet() -> RouteSheet:
    jobs = [_job(n) for n in range(1, STOPS + 1)]
    return RouteSheet(
        driver_id="D1",
        site_id="A",
        departure=at("07:45"),
        return_time=at("13:30"),
        distance_m=84_300,
        breaks=((at("11:00"), at("11:30")),),
        stops=tuple(
            SheetStop(
                n, job, (job.windows[0].start, job.windows[0].start + dt.timedelta(minutes=30))
            )
            for n, job in enumerate(jobs, start=1)
        ),
    )


def _text(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_every_stop_is_listed_in_order_with_its_windows_across_pages() -> None:
    sheet = _sheet()
    pages, text = _text(manifest_pdf(sheet, zone=PATIENT_TZ))
    assert pages >= 2
    assert text.count("Delivery windows") == pages  # the heading row repeats on every page
    positions = [text.index(f"RX-{n:03d}") for n in range(1, STOPS + 1)]
    assert positions == sorted(positions)
    for line in sheet.stops:
        stop = line.job
        span = f"{stop.windows[0].start:%H:%M}-{stop.windows[0].end:%H:%M}"
        assert span in text, span
    assert "Driver manifest: D1" in text
    assert "2026-11-24" in text and "Site" in text
    assert "07:45 / 13:30" in text
    assert f"{STOPS} / {STOPS * 2}" in text  # stops / packages
    assert "cooler for 10 stop(s), lockbox for 1 stop(s)" in text
    assert "Leave with concierge" in text and "5 Test St" in text


def test_no_patient_identifiers_and_same_bytes_twice() -> None:
    sheet = _sheet()
    pdf = manifest_pdf(sheet, zone=PATIENT_TZ)
    _, text = _text(pdf)
    flat = re.sub(r"\s+", "", text)
    for phi in (PATIENT["family"], PATIENT["given"], PATIENT["mrn"], PATIENT["phone"]):
        assert phi not in text and phi not in flat
    assert PATIENT["birth_date"] not in text
    assert manifest_pdf(sheet, zone=PATIENT_TZ) == pdf


def test_json_and_pdf_show_the_same_stops() -> None:
    jobs = {j.order_id: j for j in (_job(1), _job(2))}
    visits = tuple(
        Visit(k, at(f"0{8 + i}:00"), at(f"0{8 + i}:05"), at(f"0{8 + i}:12"))
        for i, k in enumerate(jobs)
    )
    sheet = route_sheet(Route("D1", at("07:40"), visits, (), at("10:00"), 9_000), jobs, site_id="A")
    body = manifest(sheet, zone=PATIENT_TZ)
    _, text = _text(manifest_pdf(sheet, zone=PATIENT_TZ))
    assert [s["order_id"] for s in body["stops"]] == ["RX-001", "RX-002"]
    assert body["site_id"] == "A" and body["date"] == "2026-11-24"
    for entry in body["stops"]:
        eta = entry["eta"]
        assert f"{eta['from'][11:16]}-{eta['to'][11:16]}" in text
