"""Gather one order's evidence into an ``AuditPacket``: order, status and billing, decision and
overrides, pharmacy, shipment and driver, POD, temperature, custody, legal holds; list the
archive; list and purge what is past retention; place, release and list holds.

The POD and the chain of custody are read through tracking's own functions (``proofs.view``
decrypts and checks the POD; ``custody.verify_chain`` checks every hash), so the packet shows
exactly what billing and ``finalmile custody verify`` see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy.orm import Session, sessionmaker

from finalmile.db import transaction
from finalmile.db_types import utcnow
from finalmile.evidence.archive import holds, journey
from finalmile.evidence.archive.holds import HoldRecord
from finalmile.evidence.archive.listing import ArchiveFilter, ArchivePage, archive_page
from finalmile.evidence.archive.packet import (
    AuditPacket,
    CustodyEntry,
    CustodySection,
    HoldEntry,
    LegalHoldSection,
    PodSection,
    TemperatureSection,
)
from finalmile.evidence.archive.purge import PurgeOutcome, purge_order
from finalmile.evidence.archive.retention import PastRetention, past_retention, retention_of
from finalmile.evidence.temperature.packing import unpack
from finalmile.evidence.temperature.store import combine, latest_evaluations, logs_of
from finalmile.orders import Order, find_order, order_record
from finalmile.rules import SiteConfig
from finalmile.tracking import custody, proofs
from finalmile.vault import Vault

log = structlog.get_logger(__name__)


@dataclass
class ArchiveService:
    """Builds audit packets, lists what is past retention and purges it, manages legal holds."""

    sessions: sessionmaker[Session]
    vault: Vault
    zone: ZoneInfo
    retention_years: int
    #: The dispensing sites' configuration, by name (the pharmacy's name and address).
    sites: Mapping[str, SiteConfig] = field(default_factory=dict)

    def packet(
        self, *, order_id: str, connector: str | None, now: dt.datetime | None = None
    ) -> AuditPacket:
        """Everything that proves the order's delivery, decrypted.

        Raises:
            NotFoundError: no such order.
        """
        with self.sessions() as session:
            order = find_order(session=session, order_id=order_id, connector=connector)
            assert order.id is not None
            record = order_record(session=session, row=order, vault=self.vault)
            temperature = _temperature(session, order.id)
            decision = journey.decision_of(session, order.id)
            return AuditPacket(
                order=record.order,
                status=order.status.value,
                received_at=order.created_at,
                pod=_pod(session, order.id, self.vault),
                temperature_verdict=combine([t.verdict for t in temperature]),
                temperature=temperature,
                custody=_custody(session, order.id),
                retention=retention_of(session, order, years=self.retention_years, zone=self.zone),
                legal_hold=_legal_hold(session, order.id),
                generated_at=now or utcnow(),
                zone=self.zone,
                billing=journey.billing_of(order, record.history),
                decision=decision,
                overrides=journey.overrides_of(record.history),
                pharmacy=journey.pharmacy_of(decision, self.sites),
                shipment=journey.shipment_of(session, order.id),
            )

    def listing(
        self, *, filters: ArchiveFilter, limit: int, cursor: str | None = None
    ) -> ArchivePage:
        """One page of the archive: each order's retention and legal hold, newest first.

        Raises:
            InputError: a cursor this listing did not return.
        """
        with self.sessions() as session:
            return archive_page(
                session,
                filters=filters,
                limit=limit,
                cursor=cursor,
                years=self.retention_years,
                zone=self.zone,
            )

    def past_retention(self, *, today: dt.date | None = None) -> list[PastRetention]:
        """Orders whose evidence is past retention and not purged yet (nothing is deleted)."""
        day = today or self._today()
        with self.sessions() as session:
            return past_retention(session, years=self.retention_years, today=day, zone=self.zone)

    def purge(self, *, actor: str, today: dt.date | None = None) -> list[PurgeOutcome]:
        """Delete the evidence of every order past retention, one transaction per order (a
        failure keeps what was purged before it); what happened to each, oldest first."""
        day = today or self._today()
        return [
            self.purge_one(entry, actor=actor, today=day)
            for entry in self.past_retention(today=day)
        ]

    def purge_one(self, entry: PastRetention, *, actor: str, today: dt.date) -> PurgeOutcome:
        """Purge one listed order in its own transaction, checking it again under its row lock
        (whatever changed since it was listed, a hold placed meanwhile included)."""
        with transaction(self.sessions) as session:
            order = find_order(session=session, order_id=entry.order_id, connector=entry.connector)
            assert order.id is not None
            return purge_order(
                session,
                order_pk=order.id,
                years=self.retention_years,
                today=today,
                zone=self.zone,
                actor=actor,
            )

    def place_hold(
        self,
        *,
        order_id: str,
        connector: str | None,
        reason: str,
        reference: str | None,
        actor: str,
    ) -> HoldRecord:
        """Put an order's evidence on legal hold (see ``holds.place``).

        Raises:
            NotFoundError: no such order.
            InputError: ambiguous order id, bad text.
            ConflictError: already held, evidence purged.
        """
        with transaction(self.sessions) as session:
            order = self._locked(session, order_id, connector)
            hold = holds.place(
                session,
                order=order,
                reason=reason,
                reference=reference,
                actor=actor,
                vault=self.vault,
                at=utcnow(),
                zone=self.zone,
            )
            record = holds.record(hold, order, self.vault)
        log.info("legal_hold_placed", order_id=order_id, hold_id=record.hold_id, actor=actor)
        return record

    def release_hold(
        self, *, order_id: str, connector: str | None, reason: str, actor: str
    ) -> HoldRecord:
        """Release an order's legal hold; it stays as history (see ``holds.release``).

        Raises:
            NotFoundError: no such order.
            InputError: ambiguous order id, bad text.
            ConflictError: not on hold.
        """
        with transaction(self.sessions) as session:
            order = self._locked(session, order_id, connector)
            hold = holds.release(
                session, order=order, reason=reason, actor=actor, vault=self.vault, at=utcnow()
            )
            record = holds.record(hold, order, self.vault)
        log.info("legal_hold_released", order_id=order_id, hold_id=record.hold_id, actor=actor)
        return record

    def list_holds(self, *, include_released: bool = False) -> list[HoldRecord]:
        """Active legal holds (all, released too, with ``include_released``), oldest first."""
        with self.sessions() as session:
            return holds.holds(session, vault=self.vault, include_released=include_released)

    def _locked(self, session: Session, order_id: str, connector: str | None) -> Order:
        order = find_order(session=session, order_id=order_id, connector=connector)
        assert order.id is not None
        return holds.lock_order(session, order.id)

    def _today(self) -> dt.date:
        return utcnow().astimezone(self.zone).date()


def _pod(session: Session, order_pk: int, vault: Vault) -> PodSection:
    view = proofs.view(session, order_pk=order_pk, vault=vault)
    missing = tuple(f"{m.field}: {m.reason}" for m in view.check.missing)
    method = view.check.method.value if view.check.method else None
    proof = view.proof
    if proof is None:
        return PodSection(method=method, complete=view.check.complete, missing=missing)
    gps = view.gps
    return PodSection(
        method=method,
        complete=view.check.complete,
        missing=missing,
        delivered_at=proof.delivered_at,
        carrier=proof.carrier,
        tracking_number=proof.tracking_number,
        signer_name=view.signer_name,
        relationship=proof.relationship,
        carrier_signed_by=view.carrier_signed_by,
        signature_png=view.signature_png,
        signature_sha256=proof.signature_sha256,
        photo_sha256=proof.photo_sha256,
        gps=_gps(gps) if gps else None,
        proof_url=proof.proof_url,
    )


def _gps(gps: dict[str, object]) -> str:
    """``42.1015, -72.5898 (within 8 m)`` from the driver app's position (WGS 84)."""
    latitude, longitude = gps.get("latitude", gps.get("lat")), gps.get("longitude", gps.get("lon"))
    accuracy = gps.get("accuracy_m")
    return f"{latitude}, {longitude}" + (
        f" (within {accuracy:g} m)" if isinstance(accuracy, int | float) else ""
    )


def _temperature(session: Session, order_pk: int) -> tuple[TemperatureSection, ...]:
    current = latest_evaluations(session, order_pk)
    sections = []
    for row in logs_of(session, order_pk):
        assert row.id is not None
        evaluation = current[row.id]
        sections.append(
            TemperatureSection(
                log_id=row.id,
                package=row.package,
                logger_id=row.logger_id,
                layout=row.layout,
                interval_seconds=row.interval_seconds,
                raw_sha256=row.raw_sha256,
                uploaded_at=row.uploaded_at,
                verdict=evaluation.verdict,
                reasons=tuple(evaluation.reasons),
                summary=evaluation.summary,
                limits=evaluation.limits,
                evaluated_at=evaluation.evaluated_at,
                readings=unpack(row.readings),
            )
        )
    return tuple(sections)


def _legal_hold(session: Session, order_pk: int) -> LegalHoldSection:
    """Who placed and released each hold, and when; never the hold's text (ADR 0014)."""
    entries = []
    for hold in holds.holds_of(session, order_pk):
        assert hold.id is not None
        entries.append(
            HoldEntry(hold.id, hold.placed_at, hold.placed_by, hold.released_at, hold.released_by)
        )
    return LegalHoldSection(tuple(entries))


def _custody(session: Session, order_pk: int) -> CustodySection:
    events = custody.chain(session, order_pk)
    check = custody.verify_chain(events)
    entries = tuple(CustodyEntry(e.seq, e.kind, e.actor, e.at, e.prev_hash, e.hash) for e in events)
    return CustodySection(
        entries=entries,
        verified=check.ok,
        first_bad_seq=check.first_bad_seq,
        problem=check.reason,
        head_hash=check.head_hash,
    )
