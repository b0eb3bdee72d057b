"""The audit packet PDF: parseable, with the order, POD signature, temperature, custody and
legal holds."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from PIL import Image
from pypdf import PdfReader

from finalmile.canonical import Address, DispatchOrder, Item, Patient, StorageClass
from finalmile.config.temperature_limits import DEFAULT_LIMITS
from finalmile.evidence.archive.packet import (
    AuditPacket,
    BillingSection,
    CustodyEntry,
    CustodySection,
    DecisionSection,
    HoldEntry,
    LegalHoldSection,
    OverrideEntry,
    PharmacySection,
    PodSection,
    Retention,
    ShipmentSection,
    TemperatureSection,
)
from finalmile.evidence.archive.pdf import packet_filename, render_pdf
from finalmile.evidence.temperature.evaluate import Window, evaluate
from finalmile.pdf_text import latin_text
from tests.unit.evidence.logs import START, ZONE, log_of

ORDER = DispatchOrder(
    order_id="SYN-0000042",
    connector="default",
    patient=Patient(
        mrn="SYN000042", family="Testpatient", given="Zoë", birth_date=dt.date(1960, 1, 2)
    ),
    ship_to=Address(line1="100 Test Street", city="Springfield", state="MA", postal_code="01101"),
    items=(
        Item(
            ndc="99999-0303-05",
            description="Synthetic insulin lispro 100 unit/mL",
            quantity=Decimal(10),
            unit="mL",
            storage=StorageClass.REFRIGERATED,
        ),
    ),
    requires_signature=True,
)


def signature_png() -> bytes:
    image = Image.new("RGB", (120, 40), "white")
    for x in range(10, 110):
        image.putpixel((x, 20 + (x % 7)), (0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def packet(
    *,
    pod: PodSection | None,
    verified: bool = True,
    holds: tuple[HoldEntry, ...] = (),
    generated_at: dt.datetime = START + dt.timedelta(days=1),
) -> AuditPacket:
    log = log_of([5.0] * 30 + [9.0] * 40 + [5.0] * 20)
    limits = DEFAULT_LIMITS[StorageClass.REFRIGERATED]
    result = evaluate(
        log,
        storage=StorageClass.REFRIGERATED,
        limits=limits,
        window=Window(),
        gap_factor=2.0,
        zone=ZONE,
    )
    temperature = TemperatureSection(
        log_id=7,
        package=None,
        logger_id="SYN-LOGGER",
        layout="generic",
        interval_seconds=60,
        raw_sha256="ab" * 32,
        uploaded_at=START,
        verdict=result.verdict,
        reasons=result.reasons,
        summary=result.summary(),
        limits=limits.model_dump(),
        evaluated_at=START,
        readings=log.readings,
    )
    entries = (
        CustodyEntry(1, "packed", "pharmacy", START, "0" * 64, "1" * 64),
        CustodyEntry(
            2, "picked_up", "driver:D1", START + dt.timedelta(hours=1), "1" * 64, "2" * 64
        ),
    )
    custody = CustodySection(
        entries,
        verified,
        None if verified else 2,
        None if verified else "content does not match its hash",
        "2" * 64,
    )
    return AuditPacket(
        order=ORDER,
        status="received",
        received_at=START,
        pod=pod,
        temperature_verdict=result.verdict,
        temperature=(temperature,),
        custody=custody,
        retention=Retention("delivered", START, 10, dt.date(2036, 11, 21)),
        legal_hold=LegalHoldSection(holds),
        generated_at=generated_at,
        zone=ZONE,
        billing=BILLING,
        decision=DECISION,
        overrides=(OVERRIDE,),
        pharmacy=PHARMACY,
        shipment=SHIPMENT,
    )


BILLING = BillingSection(
    "confirmed", START + dt.timedelta(hours=5), "system:billing", "delivery_confirmed:42"
)
DECISION = DecisionSection(7, "courier", "demo", "courier", "same_day", Decimal("31.50"), 4, START)
OVERRIDE = OverrideEntry(START, "key:Ab12Cd34", "pharmacist", "cold chain kept by courier", 6)
PHARMACY = PharmacySection(
    "demo", "Demo Specialty Pharmacy", ("100 Example Street", "Cambridge MA")
)
SHIPMENT = ShipmentSection(
    "fleet", "courier", "same_day", Decimal("29.00"), "USD", START, "CR0042", "Dana Driver"
)


def text_of(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def test_the_packet_is_a_pdf_with_every_section() -> None:
    pod = PodSection(
        method="courier",
        complete=True,
        missing=(),
        delivered_at=START + dt.timedelta(hours=2),
        signer_name="Zoë Testpatient",
        relationship="self",
        signature_png=signature_png(),
        signature_sha256="cd" * 32,
        gps="42.10000, -72.59000 (±8 m)",
    )
    pdf = render_pdf(packet(pod=pod))
    assert pdf.startswith(b"%PDF")
    reader, text = text_of(pdf)
    assert "Audit packet: order SYN-0000042" in text
    assert "99999-0303-05" in text and "Synthetic insulin lispro" in text
    assert "Zoë Testpatient" in text
    assert "Result complete" in text.replace(":", "")
    assert sum(len(page.images) for page in reader.pages) == 1  # the signature
    assert "excursion" in text and "40 min above 8.0 °C from 08:30 to 09:10" in text
    assert "verified: 2 events, every hash checks out" in text
    assert "2" * 64 in text.replace("\n", "")
    assert reader.metadata is not None and reader.metadata.title == "Audit packet SYN-0000042"


def test_the_packet_shows_the_dispatch_and_billing() -> None:
    _, text = text_of(render_pdf(packet(pod=None)))
    flat = " ".join(text.split())
    assert "Billing status confirmed" in flat
    assert "Dispensing pharmacy Demo Specialty Pharmacy" in flat
    assert "100 Example Street Cambridge MA" in flat
    assert "Decision courier (courier same_day)" in flat
    assert "Rule set demo version 4" in flat and "Decision cost 31.50 USD" in flat
    assert "pharmacist" in flat and "cold chain kept by courier" in flat
    assert "Service courier same_day (account fleet)" in flat
    assert "Shipping cost 29.00 USD" in flat and "Driver Dana Driver" in flat
    assert "Label bought 2026-11-21 08:00" in flat
    assert "by system:billing (outbox delivery_confirmed:42)" in flat


def test_the_same_packet_gives_the_same_bytes() -> None:
    assert render_pdf(packet(pod=None)) == render_pdf(packet(pod=None))


def test_no_pod_and_a_broken_chain_say_so() -> None:
    _, text = text_of(render_pdf(packet(pod=None, verified=False)))
    assert "No delivery has been recorded." in text
    assert "NOT verified: event 2 content does not match its hash" in text


RELEASED = HoldEntry(
    3,
    START + dt.timedelta(days=2),
    "compliance:rgray",
    START + dt.timedelta(days=40, hours=3),
    "compliance:tlee",
)
IN_FORCE = HoldEntry(8, START + dt.timedelta(days=90), "key:Ab12Cd34")
LATER = START + dt.timedelta(days=100)


def test_a_held_packet_says_so_with_every_hold_placed_and_released() -> None:
    _, text = text_of(render_pdf(packet(pod=None, holds=(RELEASED, IN_FORCE), generated_at=LATER)))
    flat = " ".join(text.split())

    assert "ON LEGAL HOLD" in text
    assert "Legal hold in force since 2027-02-19 08:00 EST by key:Ab12Cd34 (hold 8)" in flat
    assert "past retention" not in flat
    assert "Hold Placed Placed by Released Released by" in flat
    assert "3 2026-11-23 08:00 EST compliance:rgray 2026-12-31 11:00 EST compliance:tlee" in flat
    assert "8 2027-02-19 08:00 EST key:Ab12Cd34 in force -" in flat
    assert "reason and reference are kept encrypted and shown to administrators only" in flat


def test_a_hold_past_retention_says_it_keeps_the_evidence() -> None:
    after_retention = dt.datetime(2037, 1, 5, 9, tzinfo=ZONE)
    _, text = text_of(render_pdf(packet(pod=None, holds=(IN_FORCE,), generated_at=after_retention)))

    assert "past retention, the evidence is kept until the hold is released" in " ".join(
        text.split()
    )


def test_released_holds_stay_in_the_history_and_no_hold_is_in_force() -> None:
    _, released = text_of(render_pdf(packet(pod=None, holds=(RELEASED,), generated_at=LATER)))
    _, never = text_of(render_pdf(packet(pod=None)))

    assert "ON LEGAL HOLD" not in released and "ON LEGAL HOLD" not in never
    assert "Legal hold none in force (1 released)" in " ".join(released.split())
    assert "compliance:tlee" in released
    assert "Legal hold none" in never and "The evidence has never been on legal hold." in never


def test_characters_beyond_the_core_fonts_degrade_readably() -> None:
    assert latin_text("Zoë Nguyễn 张") == "Zoë Nguyen ?"


def test_packet_file_names_are_safe_in_paths_and_headers() -> None:
    assert packet_filename("SYN-0000042") == "SYN-0000042-audit-packet.pdf"
    assert packet_filename('../RX 1"') == ".._RX_1_-audit-packet.pdf"
