"""The driver manifest on paper: a header with the route's day and equipment, then one table row
per stop in order (the heading row repeats on every page).

It shows exactly what the JSON manifest shows (``manifest.py``): no patient name, phone, birth
date or medical record number. Route times are in the site's zone; a stop's times are the
patient's local times, marked with their zone when it differs from the site's. The core PDF fonts
cover Windows-1252; other characters become their closest unaccented letter (or ``?``).
"""

from __future__ import annotations

import datetime as dt

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from finalmile.courier.manifest import RouteSheet, SheetStop, handover_address
from finalmile.pdf_text import latin_text

BODY = 8
LINE = 4.2
COLUMNS = (
    ("#", 8),
    ("Order", 28),
    ("ETA", 24),
    ("Delivery windows", 30),
    ("Address", 58),
    ("Storage", 22),
    ("Needs", 22),
    ("Signature", 15),
    ("Pkgs", 10),
    ("Handover instructions", 42),
)


class _Sheet(FPDF):
    """Landscape Letter pages with a running header (driver, date) and numbered footers."""

    def __init__(self, title: str) -> None:
        super().__init__(orientation="landscape", format="Letter")
        self.running_title = title
        self.set_auto_page_break(auto=True, margin=14)
        self.set_margins(10, 10, 10)

    def header(self) -> None:
        self.set_font("Helvetica", size=7)
        self.set_text_color(110)
        self.cell(0, 4, latin_text(self.running_title), align="R")
        self.set_text_color(0)
        self.ln(6)

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font("Helvetica", size=7)
        self.cell(0, 4, f"page {self.page_no()}/{{nb}}", align="C")


def manifest_pdf(sheet: RouteSheet, *, zone: dt.tzinfo) -> bytes:
    """The PDF bytes of the driver's manifest; ``zone`` is the site's. Same sheet, same bytes."""
    day = sheet.departure.astimezone(zone).date()
    pdf = _Sheet(f"finalmile driver manifest - driver {sheet.driver_id} - {day.isoformat()}")
    pdf.set_title(latin_text(f"Driver manifest {sheet.driver_id} {day.isoformat()}"))
    pdf.set_creator("finalmile")
    pdf.set_creation_date(sheet.departure)
    pdf.add_page()
    _header(pdf, sheet, zone)
    _stops(pdf, sheet, zone)
    return bytes(pdf.output())


def _header(pdf: FPDF, sheet: RouteSheet, zone: dt.tzinfo) -> None:
    day = sheet.departure.astimezone(zone).date()
    pdf.set_font("Helvetica", style="B", size=15)
    pdf.cell(
        0,
        8,
        latin_text(f"Driver manifest: {sheet.driver_id}"),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    cooler, lockbox = sheet.needs()
    packages = sum(s.job.packages for s in sheet.stops)
    breaks = ", ".join(f"{_clock(a, zone)}-{_clock(b, zone)}" for a, b in sheet.breaks)
    fields = (
        ("Date", f"{day.isoformat()} ({day.strftime('%A')})"),
        ("Site", sheet.site_id),
        (
            "Departure / return",
            f"{_clock(sheet.departure, zone)} / {_clock(sheet.return_time, zone)}"
            f" {sheet.departure.astimezone(zone).strftime('%Z')}",
        ),
        ("Stops / packages", f"{len(sheet.stops)} / {packages}"),
        ("Needs", f"cooler for {cooler} stop(s), lockbox for {lockbox} stop(s)"),
        ("Distance", f"{sheet.distance_m / 1000:.1f} km"),
        ("Breaks", breaks or "none"),
    )
    for label, value in fields:
        pdf.set_font("Helvetica", style="B", size=9)
        pdf.cell(36, 5, latin_text(label))
        pdf.set_font("Helvetica", size=9)
        pdf.cell(0, 5, latin_text(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)


def _stops(pdf: FPDF, sheet: RouteSheet, zone: dt.tzinfo) -> None:
    pdf.set_font("Helvetica", size=BODY)
    widths = tuple(width for _, width in COLUMNS)
    with pdf.table(
        col_widths=widths, text_align="LEFT", line_height=LINE, repeat_headings=1
    ) as table:
        heading = table.row()
        for title, _ in COLUMNS:
            heading.cell(title)
        for line in sheet.stops:
            row = table.row()
            for value in _row(line, zone):
                row.cell(latin_text(value))


def _row(line: SheetStop, zone: dt.tzinfo) -> tuple[str, ...]:
    stop = line.job
    eta_from, eta_to = line.eta
    windows = "\n".join(_span(w.start, w.end, zone) for w in stop.windows)
    address = handover_address(stop)
    place = " ".join(str(address[k]) for k in ("city", "state", "postal_code") if address.get(k))
    lines = [address["line1"], address.get("line2"), place]
    needs = [
        name for name, needed in (("cooler", stop.cold), ("lockbox", stop.controlled)) if needed
    ]
    return (
        str(line.sequence),
        stop.order_id,
        _span(eta_from, eta_to, zone),
        windows,
        "\n".join(str(part) for part in lines if part),
        stop.storage.value,
        ", ".join(needs) or "-",
        "yes" if stop.requires_signature else "no",
        str(stop.packages),
        stop.instructions or "-",
    )


def _span(start: dt.datetime, end: dt.datetime, site_zone: dt.tzinfo) -> str:
    """``HH:MM-HH:MM`` in the times' own zone; the date when it is not the start's day, and the
    zone's name when it is not the site's."""
    text = (
        f"{start:%H:%M}-{end:%H:%M}"
        if start.date() == end.date()
        else (f"{start:%H:%M}-{end:%m-%d %H:%M}")
    )
    if start.utcoffset() != start.astimezone(site_zone).utcoffset():
        text += f" {start:%Z}" if start.tzname() else f" {start:%z}"
    return text


def _clock(at: dt.datetime, zone: dt.tzinfo) -> str:
    return at.astimezone(zone).strftime("%H:%M")
