"""Carrier tracking: verified webhook reports and the polling fallback, each in one transaction.

A webhook delivery is processed once per provider event id (``tracking_webhook_receipt``); a
replayed or resent delivery is answered as a duplicate and changes nothing. A report about a
parcel we do not know (yet) is not recorded, so a resend after our label commits is processed:
carriers resend every scan so far with each update, and polling catches any gap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import structlog
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from finalmile.carriers import (
    Capability,
    CarrierAccount,
    TrackingDetail,
    TrackingReport,
    TrackingStatus,
)
from finalmile.db import transaction
from finalmile.db_types import utcnow
from finalmile.errors import FinalmileError
from finalmile.shipments import Shipment, ShipmentService, ShipmentState
from finalmile.tracking.models import TrackingState, WebhookReceipt
from finalmile.tracking.proofs import EvidenceSettled
from finalmile.tracking.recorder import (
    CarrierEvidence,
    carrier_actor,
    lock_shipment,
    record_scans,
    refresh,
)
from finalmile.tracking.status import TERMINAL
from finalmile.vault import Vault

log = structlog.get_logger(__name__)
POLL_BATCH = 100


@dataclass(frozen=True)
class WebhookOutcome:
    """What became of one webhook delivery: ``processed``, ``duplicate``, ``unmatched`` (no
    shipment has that parcel) or ``ignored`` (not a tracking event)."""

    outcome: str
    new_events: int = 0


@dataclass(frozen=True)
class PollSummary:
    """One pass of the polling fallback."""

    polled: int
    new_events: int
    failed: int


class TrackingService:
    """Records carrier reports against shipments.

    ``on_evidence_settled`` is called in the transaction that completed an order's POD.
    """

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        vault: Vault,
        shipments: ShipmentService,
        stale_after: dt.timedelta,
        on_evidence_settled: EvidenceSettled,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.vault = vault
        self.shipments = shipments
        self.stale_after = stale_after
        self.on_evidence_settled = on_evidence_settled
        self.clock = clock

    def receive(
        self, *, provider: str, event_id: str, report: TrackingReport | None
    ) -> WebhookOutcome:
        """Record a verified webhook's report (idempotent per provider event id)."""
        if report is None:
            return WebhookOutcome("ignored")
        try:
            with transaction(self.sessions) as session:
                return self._receive(session, provider, event_id, report)
        except IntegrityError:
            # A concurrent delivery of the same event committed first.
            with self.sessions() as session:
                if _receipt(session, provider, event_id) is None:
                    raise
            return WebhookOutcome("duplicate")

    def _receive(
        self, session: Session, provider: str, event_id: str, report: TrackingReport
    ) -> WebhookOutcome:
        if _receipt(session, provider, event_id) is not None:
            return WebhookOutcome("duplicate")
        found = match_shipment(session, report)
        if found is None or found.id is None:
            log.info("tracking_webhook_unmatched", provider=provider, event_id=event_id)
            return WebhookOutcome("unmatched")
        now = self.clock()
        receipt = WebhookReceipt(
            provider=provider,
            event_id=event_id,
            shipment_pk=found.id,
            new_events=0,
            received_at=now,
        )
        session.add(receipt)
        session.flush()
        shipment = lock_shipment(session, found.id)
        new = record_scans(
            session,
            shipment=shipment,
            scans=report.scans_as_of(now),
            source=provider,
            vault=self.vault,
            now=now,
        )
        receipt.new_events = len(new)
        refresh(
            session,
            shipment=shipment,
            vault=self.vault,
            now=now,
            actor=carrier_actor(shipment),
            new_rows=new,
            evidence=CarrierEvidence(report.signed_by, report.public_url),
            on_settled=self.on_evidence_settled,
        )
        log.info(
            "tracking_webhook_processed",
            provider=provider,
            event_id=event_id,
            order_id=shipment.order_id,
            shipment=shipment.key,
            new_events=len(new),
        )
        return WebhookOutcome("processed", len(new))

    def poll_due(self, *, limit: int = POLL_BATCH) -> PollSummary:
        """Ask the carrier about parcels with no recent event (the webhook fallback)."""
        now = self.clock()
        polled = new_total = failed = 0
        for shipment in self._due(now, limit):
            try:
                new_total += self.poll(shipment, now=now)
                polled += 1
            except FinalmileError as exc:
                failed += 1
                log.warning(
                    "tracking_poll_failed", order_id=shipment.order_id, error=type(exc).__name__
                )
        if polled or failed:
            log.info("tracking_polled", polled=polled, new_events=new_total, failed=failed)
        return PollSummary(polled=polled, new_events=new_total, failed=failed)

    def poll(self, shipment: Shipment, *, now: dt.datetime | None = None) -> int:
        """Track one shipment now and record what is new; returns the number of new events."""
        assert shipment.id is not None
        now = now or self.clock()
        report = self.shipments.track(shipment)
        with transaction(self.sessions) as session:
            locked = lock_shipment(session, shipment.id)
            new = record_scans(
                session,
                shipment=locked,
                scans=report.scans_as_of(now),
                source="poll",
                vault=self.vault,
                now=now,
            )
            state = refresh(
                session,
                shipment=locked,
                vault=self.vault,
                now=now,
                actor=carrier_actor(locked),
                new_rows=new,
                evidence=CarrierEvidence(report.signed_by, report.public_url),
                on_settled=self.on_evidence_settled,
            ) or TrackingState(
                shipment_pk=shipment.id,
                order_pk=shipment.order_pk,
                status=TrackingStatus.UNKNOWN,
                detail=TrackingDetail.UNKNOWN.value,
                status_at=now,
                updated_at=now,
            )
            state.last_polled_at = now
            session.add(state)
        return len(new)

    def _due(self, now: dt.datetime, limit: int) -> list[Shipment]:
        quiet_since = now - self.stale_after
        trackable = [name for name, a in self.shipments.accounts.items() if _trackable(a)]
        if not trackable:
            return []
        statement = (
            select(Shipment)
            .outerjoin(TrackingState, col(TrackingState.shipment_pk) == col(Shipment.id))
            .where(
                col(Shipment.state) == ShipmentState.PURCHASED.value,
                col(Shipment.tracking_number).is_not(None),
                col(Shipment.account).in_(trackable),
                or_(
                    col(TrackingState.shipment_pk).is_(None),
                    and_(
                        col(TrackingState.status).not_in([s.value for s in TERMINAL]),
                        or_(
                            col(TrackingState.last_event_at).is_(None),
                            col(TrackingState.last_event_at) < quiet_since,
                        ),
                        or_(
                            col(TrackingState.last_polled_at).is_(None),
                            col(TrackingState.last_polled_at) < quiet_since,
                        ),
                    ),
                ),
                col(Shipment.purchased_at) < quiet_since,
            )
            .order_by(col(Shipment.id))
            .limit(limit)
        )
        with self.sessions() as session:
            return list(session.scalars(statement))


def _trackable(account: CarrierAccount) -> bool:
    """Whether polling can learn anything: a tracking capability (or an account to track
    through), and not tracked by finalmile's drivers (an in-house courier)."""
    if account.tracked_by_drivers:
        return False
    return Capability.TRACK in account.info.capabilities or account.tracks_through is not None


def _receipt(session: Session, provider: str, event_id: str) -> int | None:
    statement = select(col(WebhookReceipt.id)).where(
        col(WebhookReceipt.provider) == provider, col(WebhookReceipt.event_id) == event_id
    )
    return session.scalars(statement).first()


def match_shipment(session: Session, report: TrackingReport) -> Shipment | None:
    """The purchased shipment a report is about: by tracker id, else by tracking number."""
    conditions = [col(Shipment.tracking_number) == report.tracking_number]
    if report.tracker_id:
        conditions.append(col(Shipment.tracker_id) == report.tracker_id)
    statement = (
        select(Shipment)
        .where(col(Shipment.state) == ShipmentState.PURCHASED.value, or_(*conditions))
        .order_by(col(Shipment.id).desc())
    )
    rows = list(session.scalars(statement))
    by_tracker = [r for r in rows if report.tracker_id and r.tracker_id == report.tracker_id]
    chosen = by_tracker or rows
    return chosen[0] if chosen else None
