"""``/orders/{order_id}/archive``: the evidence index (JSON, no patient data) and the PDF packet;
both say whether the evidence is on legal hold, since when and by whom."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel

from finalmile.auth import Principal, Scope
from finalmile.deps import content_disposition, provided, require
from finalmile.evidence.archive.packet import (
    AuditPacket,
    BillingSection,
    CustodyEntry,
    DecisionSection,
    HoldEntry,
    OverrideEntry,
    PharmacySection,
    ShipmentSection,
)
from finalmile.evidence.archive.service import ArchiveService

router = APIRouter(prefix="/orders/{order_id}", tags=["archive"])
Reader = Annotated[Principal, Depends(require(Scope.ORDERS_READ))]
#: The archive, for this package's views (the listing and legal holds ask for it too).
ArchiveDep = Annotated[ArchiveService, Depends(provided(ArchiveService))]


class PodIndex(BaseModel):
    """The POD's state and the fingerprints of its images (the packet holds the rest)."""

    complete: bool
    missing: list[str]
    method: str | None
    delivered_at: dt.datetime | None
    carrier: str | None
    tracking_number: str | None
    relationship: str | None
    signature_sha256: str | None
    photo_sha256: str | None


class TemperatureIndex(BaseModel):
    """One logger's record: its verdict, and the file as uploaded with its fingerprint."""

    log_id: int
    logger_id: str | None
    package: str | None
    verdict: str
    reasons: list[str]
    raw_sha256: str
    raw: str
    uploaded_at: dt.datetime


class CustodyIndex(BaseModel):
    """The chain of custody, verified now."""

    verified: bool
    first_bad_seq: int | None
    problem: str | None
    head_hash: str | None
    events: list[CustodyEntry]


class RetentionIndex(BaseModel):
    """Until when the evidence is kept, from what, and when it was purged (if it was)."""

    basis: str
    since: dt.datetime
    years: int
    until: dt.date
    purged_at: dt.datetime | None = None


class HoldState(BaseModel):
    """Whether the order's evidence is on legal hold: since when, by whom, which hold."""

    held: bool
    hold_id: int | None = None
    since: dt.datetime | None = None
    placed_by: str | None = None

    @classmethod
    def of(cls, hold: HoldEntry | None) -> HoldState:
        if hold is None:
            return cls(held=False)
        return cls(held=True, hold_id=hold.hold_id, since=hold.placed_at, placed_by=hold.placed_by)


class HoldIndex(BaseModel):
    """One legal hold: placed and released, when and by whom (its text: ``GET /legal-holds``)."""

    hold_id: int
    placed_at: dt.datetime
    placed_by: str
    released_at: dt.datetime | None
    released_by: str | None


class LegalHoldIndex(HoldState):
    """The hold in force (if any) and every hold, released ones included, oldest first."""

    history: list[HoldIndex]


class ArchiveIndex(BaseModel):
    """What the archive holds for an order, and where to fetch it."""

    order_id: str
    connector: str
    status: str
    billing: BillingSection
    decision: DecisionSection | None
    overrides: list[OverrideEntry]
    pharmacy: PharmacySection | None
    shipment: ShipmentSection | None
    pod: PodIndex | None
    temperature_verdict: str | None
    temperature: list[TemperatureIndex]
    custody: CustodyIndex
    retention: RetentionIndex
    legal_hold: LegalHoldIndex
    documents: dict[str, str]

    @classmethod
    def of(cls, packet: AuditPacket) -> ArchiveIndex:
        order_id = packet.order.order_id
        base = f"/orders/{order_id}"
        pod = packet.pod
        custody = packet.custody
        return cls(
            order_id=order_id,
            connector=packet.order.connector,
            status=packet.status,
            billing=packet.billing,
            decision=packet.decision,
            overrides=list(packet.overrides),
            pharmacy=packet.pharmacy,
            shipment=packet.shipment,
            pod=None
            if pod is None
            else PodIndex(
                complete=pod.complete,
                missing=list(pod.missing),
                method=pod.method,
                delivered_at=pod.delivered_at,
                carrier=pod.carrier,
                tracking_number=pod.tracking_number,
                relationship=pod.relationship,
                signature_sha256=pod.signature_sha256,
                photo_sha256=pod.photo_sha256,
            ),
            temperature_verdict=packet.temperature_verdict.value
            if packet.temperature_verdict
            else None,
            temperature=[
                TemperatureIndex(
                    log_id=t.log_id,
                    logger_id=t.logger_id,
                    package=t.package,
                    verdict=t.verdict.value,
                    reasons=list(t.reasons),
                    raw_sha256=t.raw_sha256,
                    raw=f"{base}/temperature-logs/{t.log_id}/raw",
                    uploaded_at=t.uploaded_at,
                )
                for t in packet.temperature
            ],
            custody=CustodyIndex(
                verified=custody.verified,
                first_bad_seq=custody.first_bad_seq,
                problem=custody.problem,
                head_hash=custody.head_hash,
                events=list(custody.entries),
            ),
            retention=RetentionIndex(**vars(packet.retention)),
            legal_hold=LegalHoldIndex(
                **HoldState.of(packet.legal_hold.active).model_dump(),
                history=[HoldIndex(**vars(h)) for h in packet.legal_hold.holds],
            ),
            documents={
                "packet_pdf": f"{base}/archive.pdf",
                "order": base,
                "temperature": f"{base}/temperature?readings=true",
            },
        )


@router.get("/archive", response_model=ArchiveIndex)
def get_archive(
    order_id: str, archive: ArchiveDep, _principal: Reader, connector: str | None = None
) -> ArchiveIndex:
    """The order's evidence: status and billing, decision and overrides, pharmacy, shipment and
    driver, POD state, temperature verdicts, custody chain (verified now)."""
    packet = archive.packet(order_id=order_id, connector=connector)
    return ArchiveIndex.of(packet)


@router.get("/archive.pdf", response_class=Response)
def get_archive_pdf(
    order_id: str, archive: ArchiveDep, _principal: Reader, connector: str | None = None
) -> Response:
    """The order's audit packet as one PDF (it holds patient data: handle as PHI)."""
    # Deferred: fpdf is slow to import and only rendering needs it.
    from finalmile.evidence.archive.pdf import packet_filename, render_pdf  # noqa: PLC0415

    packet = archive.packet(order_id=order_id, connector=connector)
    return Response(
        render_pdf(packet),
        media_type="application/pdf",
        headers={"Content-Disposition": content_disposition(packet_filename(order_id))},
    )
