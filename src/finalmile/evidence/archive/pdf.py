"""Render an ``AuditPacket`` as a PDF: order and items, status and billing status, the dispatch
(pharmacy, decision and rule-set version, overrides, service, cost, label time, driver, billing
confirmation), proof of delivery with the signature,
temperature records with a chart and the verdict, the chain of custody with its hashes, and the
legal holds (who placed and released each, and when; never the hold's text).

The PDF's core fonts cover Windows-1252; other characters are written as their closest
unaccented letter (or ``?``), so an unusual name never stops the packet from being produced.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from decimal import Decimal

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from finalmile.evidence.archive.chart import draw_chart
from finalmile.evidence.archive.packet import AuditPacket, CustodySection, PodSection
from finalmile.evidence.archive.packet import TemperatureSection as Temperature
from finalmile.pdf_text import latin_text

BODY = 9
LINE = 4.6


class _Packet(FPDF):
    """Pages with a running header (order id) and numbered footers."""

    def __init__(self, order_id: str) -> None:
        super().__init__(format="Letter")
        self.order_id = order_id
        self.set_auto_page_break(auto=True, margin=15)

    def header(self) -> None:
        self.set_font("Helvetica", size=7)
        self.set_text_color(110)
        self.cell(0, 4, latin_text(f"finalmile audit packet - order {self.order_id}"), align="R")
        self.set_text_color(0)
        self.ln(6)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=7)
        self.cell(0, 4, f"page {self.page_no()}/{{nb}}", align="C")


def render_pdf(packet: AuditPacket) -> bytes:
    """The PDF bytes of ``packet``; the same packet always gives the same bytes."""
    pdf = _Packet(packet.order.order_id)
    pdf.set_title(latin_text(f"Audit packet {packet.order.order_id}"))
    pdf.set_creator("finalmile")
    pdf.set_creation_date(packet.generated_at)
    pdf.add_page()
    _order(pdf, packet)
    _journey(pdf, packet)
    _pod(pdf, packet.pod, packet.zone)
    _temperatures(pdf, packet)
    _custody(pdf, packet.custody, packet.zone)
    _legal_holds(pdf, packet)
    return bytes(pdf.output())


def packet_filename(order_id: str) -> str:
    """A file name for the order's packet, safe in paths and HTTP headers."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", order_id) + "-audit-packet.pdf"


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(2)
    pdf.set_font("Helvetica", style="B", size=12)
    pdf.cell(0, 7, latin_text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", size=BODY)


def _field(pdf: FPDF, label: str, value: object) -> None:
    pdf.set_font("Helvetica", style="B", size=BODY)
    pdf.cell(42, LINE, latin_text(label))
    pdf.set_font("Helvetica", size=BODY)
    text = "-" if value is None or value == "" else str(value)
    pdf.multi_cell(0, LINE, latin_text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _time(at: dt.datetime | None, zone: dt.tzinfo) -> str | None:
    return None if at is None else at.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def _table(
    pdf: FPDF, header: tuple[str, ...], rows: Sequence[Sequence[str]], widths: tuple[int, ...]
) -> None:
    with pdf.table(col_widths=widths, text_align="LEFT", line_height=LINE) as table:
        heading = table.row()
        for title in header:
            heading.cell(latin_text(title))
        for values in rows:
            row = table.row()
            for value in values:
                row.cell(latin_text(value))


def _order(pdf: FPDF, packet: AuditPacket) -> None:
    order, zone = packet.order, packet.zone
    pdf.set_font("Helvetica", style="B", size=16)
    pdf.cell(
        0,
        9,
        latin_text(f"Audit packet: order {order.order_id}"),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    if packet.legal_hold.active is not None:
        pdf.set_font("Helvetica", style="B", size=11)
        pdf.cell(0, 6, "ON LEGAL HOLD", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", size=BODY)
    _field(pdf, "Connector", order.connector)
    _field(pdf, "Status", packet.status)
    _field(pdf, "Billing status", packet.billing.status)
    _field(pdf, "Received", _time(packet.received_at, zone))
    _field(pdf, "Generated", _time(packet.generated_at, zone))
    retention = packet.retention
    _field(
        pdf,
        "Retain until",
        f"{retention.until.isoformat()} ({retention.years} years from {retention.basis} "
        f"{_time(retention.since, zone)})",
    )
    if retention.purged_at is not None:
        _field(pdf, "Evidence purged", _time(retention.purged_at, zone))
    _field(pdf, "Legal hold", _hold_state(packet))
    _heading(pdf, "Order")
    patient = order.patient
    name = " ".join(part for part in (patient.given, patient.family) if part)
    _field(pdf, "Beneficiary", name or None)
    _field(pdf, "MRN", patient.mrn)
    _field(pdf, "Birth date", patient.birth_date.isoformat() if patient.birth_date else None)
    address = order.ship_to
    lines = [address.name, address.line1, address.line2]
    lines.append(" ".join(p for p in (address.city, address.state, address.postal_code) if p))
    _field(pdf, "Delivery address", "\n".join(line for line in lines if line))
    _field(pdf, "Needed by", _time(order.needed_by, zone))
    _field(pdf, "Signature required", "yes" if order.requires_signature else "no")
    pdf.ln(1)
    rows = [
        (
            str(number),
            item.ndc or "-",
            item.description or "-",
            f"{item.quantity.normalize():f} {item.unit or ''}".strip(),
            item.storage.value if item.storage else "unknown",
        )
        for number, item in enumerate(order.items, start=1)
    ]
    _table(pdf, ("#", "NDC", "Description", "Quantity", "Storage"), rows, (6, 24, 70, 20, 22))


def _journey(pdf: FPDF, packet: AuditPacket) -> None:
    """Dispensing pharmacy, decision, overrides, shipment and driver, billing confirmation."""
    zone = packet.zone
    _heading(pdf, "Dispatch")
    pharmacy = packet.pharmacy
    _field(pdf, "Dispensing pharmacy", pharmacy and (pharmacy.name or pharmacy.site))
    _field(pdf, "Pharmacy address", "\n".join(pharmacy.address) if pharmacy else None)
    decision = packet.decision
    if decision is None:
        _field(pdf, "Decision", "none yet")
    else:
        how = " ".join(p for p in (decision.carrier, decision.service) if p)
        _field(pdf, "Decision", f"{decision.delivery_type}" + (f" ({how})" if how else ""))
        version = decision.rule_set_version
        _field(
            pdf,
            "Rule set",
            f"{decision.site} version {version}" if version is not None else decision.site,
        )
        _field(pdf, "Decision cost", _money(decision.cost, None))
        _field(
            pdf, "Decided", f"{_time(decision.decided_at, zone)} (decision {decision.decision_id})"
        )
    if packet.overrides:
        rows = [
            (
                _time(o.at, zone) or "-",
                o.actor,
                o.role or "-",
                str(o.superseded_decision_id) if o.superseded_decision_id is not None else "-",
                o.reason or "-",
            )
            for o in packet.overrides
        ]
        _table(
            pdf, ("Override at", "By", "Role", "Superseded", "Reason"), rows, (32, 26, 20, 20, 80)
        )
    else:
        _field(pdf, "Overrides", "none")
    shipment = packet.shipment
    if shipment is None:
        _field(pdf, "Shipment", "none live")
    else:
        service = " ".join(p for p in (shipment.carrier, shipment.service) if p)
        _field(pdf, "Service", f"{service or '-'} (account {shipment.account})")
        _field(pdf, "Shipping cost", _money(shipment.amount, shipment.currency))
        _field(pdf, "Label bought", _time(shipment.label_at, zone))
        _field(pdf, "Tracking number", shipment.tracking_number)
        _field(pdf, "Driver", shipment.driver)
    billing = packet.billing
    if billing.confirmed_at is None:
        _field(pdf, "Billing confirmation", "not issued")
    else:
        _field(
            pdf,
            "Billing confirmation",
            f"{_time(billing.confirmed_at, zone)} by {billing.actor} (outbox {billing.outbox_key})",
        )


def _money(amount: Decimal | None, currency: str | None) -> str | None:
    return None if amount is None else f"{amount:.2f} {currency or 'USD'}"


def _hold_state(packet: AuditPacket) -> str:
    """``in force since ... by ... (hold 3)``, ``none in force (1 released)`` or ``none``."""
    section, zone = packet.legal_hold, packet.zone
    hold = section.active
    if hold is None:
        released = len(section.holds)
        return f"none in force ({released} released)" if released else "none"
    state = (
        f"in force since {_time(hold.placed_at, zone)} by {hold.placed_by} (hold {hold.hold_id})"
    )
    if packet.retention.until < packet.generated_at.astimezone(zone).date():
        state += "; past retention, the evidence is kept until the hold is released"
    return state


def _pod(pdf: FPDF, pod: PodSection | None, zone: dt.tzinfo) -> None:
    _heading(pdf, "Proof of delivery")
    if pod is None:
        pdf.multi_cell(
            0, LINE, "No delivery has been recorded.", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        return
    _field(pdf, "Result", "complete" if pod.complete else "incomplete")
    for missing in pod.missing:
        _field(pdf, "Missing", missing)
    _field(pdf, "Method", pod.method)
    _field(pdf, "Delivered", _time(pod.delivered_at, zone))
    _field(pdf, "Carrier", pod.carrier)
    _field(pdf, "Tracking number", pod.tracking_number)
    _field(pdf, "Signed by", pod.signer_name or pod.carrier_signed_by)
    _field(pdf, "Relationship", pod.relationship)
    _field(pdf, "GPS", pod.gps)
    _field(pdf, "Carrier proof", pod.proof_url)
    _field(pdf, "Photo SHA-256", pod.photo_sha256)
    _field(pdf, "Signature SHA-256", pod.signature_sha256)
    if pod.signature_png is not None:
        pdf.ln(1)
        pdf.image(io.BytesIO(pod.signature_png), x=pdf.l_margin + 42, w=60, keep_aspect_ratio=True)
        pdf.ln(2)


def _temperatures(pdf: FPDF, packet: AuditPacket) -> None:
    _heading(pdf, "Temperature")
    verdict = packet.temperature_verdict
    _field(pdf, "Verdict", verdict.value if verdict else "no temperature log uploaded")
    for section in packet.temperature:
        _temperature(pdf, section, packet.zone)


def _temperature(pdf: FPDF, log: Temperature, zone: dt.tzinfo) -> None:
    summary = log.summary
    pdf.ln(1)
    pdf.set_font("Helvetica", style="B", size=10)
    title = f"Log {log.log_id}: logger {log.logger_id or 'unnamed'}"
    pdf.cell(
        0,
        6,
        latin_text(title + (f", package {log.package}" if log.package else "")),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_font("Helvetica", size=BODY)
    _field(pdf, "Verdict", f"{log.verdict.value} (evaluated {_time(log.evaluated_at, zone)})")
    for reason in log.reasons:
        _field(pdf, "", f"- {reason}")
    window = "departure to delivery" if summary.get("whole_trip") else "whole log"
    start = dt.datetime.fromisoformat(summary["start"])
    end = dt.datetime.fromisoformat(summary["end"])
    rows = [
        ("Evaluated over", f"{window}: {_time(start, zone)} to {_time(end, zone)}"),
        ("Readings", f"{len(log.readings)} every {log.interval_seconds / 60:g} min ({log.layout})"),
        (
            "Min / max",
            f"{_num(summary.get('min_celsius'))} / {_num(summary.get('max_celsius'))} °C",
        ),
        ("Mean kinetic temp.", f"{_num(summary.get('mkt_celsius'))} °C"),
        ("Time in range", f"{_num(summary.get('time_in_range_percent'), 1)} %"),
        ("Excursion minutes", f"{_num(summary.get('excursion_minutes'), 1)}"),
        ("Limits", _limits(log.limits)),
        ("Raw file SHA-256", log.raw_sha256),
    ]
    _table(pdf, ("Figure", "Value"), rows, (40, 140))
    if log.readings:
        band = (
            _limit(log.limits, "allowed_low", "low"),
            _limit(log.limits, "allowed_high", "high"),
        )
        trip = (start, end) if summary.get("whole_trip") else None
        draw_chart(pdf, log.readings, band=band, trip=trip, zone=zone)


def _limit(limits: dict[str, object], first: str, second: str) -> float | None:
    value = limits.get(first)
    value = value if value is not None else limits.get(second)
    return float(value) if isinstance(value, int | float) else None


def _limits(limits: dict[str, object]) -> str:
    names = {
        "low": "low °C",
        "high": "high °C",
        "allowed_low": "excursions from °C",
        "allowed_high": "excursions to °C",
        "max_single_minutes": "single excursion max min",
        "max_cumulative_minutes": "cumulative max min",
        "max_mkt": "MKT max °C",
        "gap_factor": "gap factor",
    }
    parts = [
        f"{label} {limits[key]:g}"
        for key, label in names.items()
        if isinstance(limits.get(key), int | float)
    ]
    return ", ".join(parts) or "none"


def _num(value: object, places: int = 2) -> str:
    return f"{value:.{places}f}" if isinstance(value, int | float) else "-"


def _custody(pdf: FPDF, custody: CustodySection, zone: dt.tzinfo) -> None:
    _heading(pdf, "Chain of custody")
    if custody.verified:
        result = f"verified: {len(custody.entries)} events, every hash checks out"
    else:
        result = f"NOT verified: event {custody.first_bad_seq} {custody.problem}"
    _field(pdf, "Verification", result)
    _field(pdf, "Head hash", custody.head_hash)
    if not custody.entries:
        return
    pdf.ln(1)
    rows = [
        (str(e.seq), _time(e.at, zone) or "-", e.kind, e.actor, f"{e.prev_hash}\n{e.hash}")
        for e in custody.entries
    ]
    pdf.set_font("Helvetica", size=7)
    _table(pdf, ("#", "At", "Handoff", "By", "Previous hash / hash"), rows, (6, 30, 30, 30, 84))
    pdf.set_font("Helvetica", size=BODY)


def _legal_holds(pdf: FPDF, packet: AuditPacket) -> None:
    section, zone = packet.legal_hold, packet.zone
    _heading(pdf, "Legal holds")
    if not section.holds:
        pdf.multi_cell(
            0,
            LINE,
            "The evidence has never been on legal hold.",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        return
    rows = [
        (
            str(h.hold_id),
            _time(h.placed_at, zone) or "-",
            h.placed_by,
            _time(h.released_at, zone) or "in force",
            h.released_by or "-",
        )
        for h in section.holds
    ]
    _table(
        pdf, ("Hold", "Placed", "Placed by", "Released", "Released by"), rows, (14, 36, 48, 36, 46)
    )
    pdf.ln(1)
    note = (
        "Each hold's reason and reference are kept encrypted and shown to administrators only "
        "(finalmile archive holds --all)."
    )
    pdf.multi_cell(0, LINE, note, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
