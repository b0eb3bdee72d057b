"""A temperature line chart drawn with PDF vector primitives: readings, limits, trip edges."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from fpdf import FPDF

from finalmile.evidence.temperature.readings import Reading

#: Readings drawn at most; longer logs are thinned to every n-th (the table gives the extremes).
MAX_POINTS = 600


def draw_chart(
    pdf: FPDF,
    readings: Sequence[Reading],
    *,
    band: tuple[float | None, float | None],
    trip: tuple[dt.datetime, dt.datetime] | None,
    zone: dt.tzinfo,
    height: float = 55.0,
) -> None:
    """Draw the chart across the page (on a new one if it does not fit), then move below it."""
    if pdf.get_y() + height + 14 > pdf.h - pdf.b_margin:
        pdf.add_page()
    breaks, margin = pdf.auto_page_break, pdf.b_margin
    pdf.set_auto_page_break(auto=False)  # labels sit by the axes, never on the next page
    left, top = pdf.l_margin + 12, pdf.get_y() + 2
    width = pdf.w - pdf.r_margin - left
    start, end = readings[0].at, readings[-1].at
    if trip is not None:
        start, end = min(start, trip[0]), max(end, trip[1])
    span = max((end - start).total_seconds(), 1.0)
    temps = [r.celsius for r in readings] + [b for b in band if b is not None]
    low, high = math.floor(min(temps)) - 1, math.ceil(max(temps)) + 1

    def x(at: dt.datetime) -> float:
        return left + width * (at - start).total_seconds() / span

    def y(celsius: float) -> float:
        return top + height * (high - celsius) / (high - low)

    pdf.set_draw_color(160)
    pdf.set_line_width(0.2)
    pdf.rect(left, top, width, height)
    pdf.set_font("Helvetica", size=6)
    step = _tick_step(high - low)
    tick = math.ceil(low / step) * step
    while tick <= high:
        pdf.set_draw_color(225)
        pdf.line(left, y(tick), left + width, y(tick))
        pdf.set_xy(pdf.l_margin, y(tick) - 1.5)
        pdf.cell(11, 3, f"{tick:g} °C", align="R")
        tick += step
    pdf.set_draw_color(200, 0, 0)
    pdf.set_dash_pattern(dash=1.2, gap=0.8)
    for limit in band:
        if limit is not None:
            pdf.line(left, y(limit), left + width, y(limit))
    if trip is not None:
        pdf.set_draw_color(0, 90, 200)
        for edge in trip:
            pdf.line(x(edge), top, x(edge), top + height)
    pdf.set_dash_pattern()
    every = max(1, math.ceil(len(readings) / MAX_POINTS))
    points = [(x(r.at), y(r.celsius)) for r in readings[::every]]
    if len(points) > 1:
        pdf.set_draw_color(0)
        pdf.set_line_width(0.35)
        pdf.polyline(points)
    pdf.set_line_width(0.2)
    for at in (start, end):
        pdf.set_xy(min(max(x(at) - 15, left), left + width - 30), top + height + 0.5)
        pdf.cell(30, 3, at.astimezone(zone).strftime("%Y-%m-%d %H:%M"), align="C")
    pdf.set_xy(pdf.l_margin, top + height + 5)
    pdf.set_font("Helvetica", size=7)
    legend = "Black: readings. Red dashed: limits."
    pdf.cell(0, 4, legend + (" Blue dashed: departure and delivery." if trip else ""))
    pdf.ln(6)
    pdf.set_auto_page_break(auto=breaks, margin=margin)


def _tick_step(spread: float) -> float:
    for step in (1.0, 2.0, 5.0, 10.0, 20.0):
        if spread / step <= 8:
            return step
    return 50.0
