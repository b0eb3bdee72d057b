"""Shipment state transitions, each one committed in its own transaction with its audit row.

A worker drives a shipment only while it holds the row's *lease* (``lease_owner`` and
``lease_until``): every transition is an UPDATE conditional on the lease, so two workers (or a
worker and the recovery pass) never drive the same shipment at once. A lease that expires (its
worker died) can be claimed by anyone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from finalmile.audit import AuditEvent, audit_row
from finalmile.carriers import LabelFormat, Purchase, Quote, ShipmentOptions
from finalmile.db import transaction
from finalmile.db_types import utcnow
from finalmile.errors import RetriableError
from finalmile.orders import DISPATCHED, Order, OrderStatus, move
from finalmile.shipments.models import (
    UNFINISHED_STATES,
    Shipment,
    ShipmentLabel,
    ShipmentState,
)
from finalmile.shipments.queries import ShipmentQueries
from finalmile.vault import Vault

ENTITY = "shipment"


class LeaseLostError(RetriableError):
    """Another worker took this shipment over (our lease expired); stop driving it."""


@dataclass(frozen=True)
class Lease:
    """The right to drive one shipment until ``until``."""

    shipment_pk: int
    owner: str


@dataclass(frozen=True)
class LabelFile:
    """A label file as downloaded (stored encrypted: it prints the patient's address)."""

    label_format: LabelFormat
    content: bytes


@dataclass(frozen=True)
class NewShipment:
    """What a shipment starts from (``key`` is our reference, sent to carriers while rating)."""

    key: str
    order_pk: int
    order_id: str
    account: str
    carrier_type: str
    requested_service: str | None
    options: ShipmentOptions


class ShipmentStore(ShipmentQueries):
    """Lease-guarded writes of shipments (and, inherited, the reads)."""

    def __init__(
        self, sessions: sessionmaker[Session], *, vault: Vault, lease_seconds: float
    ) -> None:
        super().__init__(sessions)
        self.vault = vault
        self.lease_seconds = lease_seconds

    def start_purchase(
        self, new: NewShipment, *, provider_shipment_id: str, quote: Quote, actor: str
    ) -> tuple[Shipment, Lease | None]:
        """Commit the intent to buy ``quote`` (leased to the caller) before the buy is sent.

        One transaction holds the intent, the provider's shipment id, the chosen rate and the
        first attempt. The partial unique index allows one live shipment per order: when another
        exists (or a concurrent caller won the race) that one is returned with no lease.
        """
        owner = uuid.uuid4().hex
        now = utcnow()
        row = self._new_row(new, ShipmentState.PURCHASING, now)
        row.provider_shipment_id = provider_shipment_id
        row.rate_id = quote.rate_id
        row.carrier, row.service = quote.carrier, quote.service
        row.amount, row.currency = quote.amount, quote.currency
        row.attempts = 1
        row.lease_owner = owner
        row.lease_until = now + dt.timedelta(seconds=self.lease_seconds)
        detail = {"rate_id": quote.rate_id, "service": quote.service_code, "attempt": 1}
        existing = self._insert(row, "buy_attempt", actor, detail)
        if existing is not None:
            return existing, None
        assert row.id is not None
        return row, Lease(row.id, owner)

    def record_failed(self, new: NewShipment, reason: str, *, actor: str) -> Shipment:
        """Keep a shipment refused before anything was bought (no rate offered, say)."""
        row = self._new_row(new, ShipmentState.FAILED, utcnow())
        row.last_error = reason[:300]
        self._insert(row, "failed", actor, {"reason": reason[:300]})
        return row

    def record_external(
        self, new: NewShipment, *, carrier: str, tracking_number: str, actor: str
    ) -> Shipment:
        """Record a shipment bought elsewhere as purchased; or return the order's live one."""
        now = utcnow()
        row = self._new_row(new, ShipmentState.PURCHASED, now)
        row.carrier, row.tracking_number, row.purchased_at = carrier, tracking_number, now
        detail = {"carrier": carrier, "tracking_number": tracking_number}
        return self._insert(row, "recorded", actor, detail) or row

    def _new_row(self, new: NewShipment, state: ShipmentState, now: dt.datetime) -> Shipment:
        return Shipment(
            key=new.key,
            order_pk=new.order_pk,
            order_id=new.order_id,
            account=new.account,
            carrier_type=new.carrier_type,
            state=state,
            requested_service=new.requested_service,
            options=new.options.model_dump(mode="json"),
            created_at=now,
            updated_at=now,
        )

    def _insert(
        self, row: Shipment, action: str, actor: str, detail: dict[str, Any], *, again: bool = True
    ) -> Shipment | None:
        """Insert ``row`` with its audit row; None, or the order's live shipment if it has one."""
        try:
            with transaction(self.sessions) as session:
                session.add(row)
                session.flush()
                assert row.id is not None
                self._audit(session, row.id, action, actor, None, row.state, detail)
                if row.state is ShipmentState.PURCHASED:
                    _order_dispatched(session, row, actor)
        except IntegrityError:
            existing = self.live_for_order(row.order_pk)
            if existing is not None:
                return existing
            if not again:  # not the live-shipment index: a real integrity problem
                raise
            row.id = None  # the live one was voided or failed in between: the order is free
            return self._insert(row, action, actor, detail, again=False)
        return None

    def claim(self, shipment_pk: int) -> Lease | None:
        """Lease an unfinished shipment whose lease is free or expired; None if someone holds it."""
        owner = uuid.uuid4().hex
        now = utcnow()
        with transaction(self.sessions) as session:
            result = session.execute(
                update(Shipment)
                .where(
                    col(Shipment.id) == shipment_pk,
                    col(Shipment.state).in_([s.value for s in UNFINISHED_STATES]),
                    or_(col(Shipment.lease_until).is_(None), col(Shipment.lease_until) < now),
                )
                .values(
                    lease_owner=owner,
                    lease_until=now + dt.timedelta(seconds=self.lease_seconds),
                    updated_at=now,
                )
            )
        return Lease(shipment_pk, owner) if result.rowcount == 1 else None  # type: ignore[attr-defined]

    def begin_purchase(self, lease: Lease, *, actor: str) -> Shipment:
        """Commit that another buy is about to be sent (and extend the lease) before sending it."""
        now = utcnow()
        with transaction(self.sessions) as session:
            row = self._leased(session, lease)
            row.attempts += 1
            row.lease_until = now + dt.timedelta(seconds=self.lease_seconds)
            row.updated_at = now
            self._audit(
                session,
                lease.shipment_pk,
                "buy_attempt",
                actor,
                row.state,
                row.state,
                {"attempt": row.attempts},
            )
            return row

    def purchased(
        self, lease: Lease, purchase: Purchase, *, label: LabelFile | None, actor: str, how: str
    ) -> Shipment:
        """The label exists (``how``: ``bought`` or ``reconciled``); keep its file if we have it.

        The lease ends. A label file that could not be downloaded is fetched by recovery.
        """
        values: dict[str, Any] = {
            "provider_shipment_id": purchase.provider_shipment_id,
            "rate_id": purchase.rate_id,
            "transaction_id": purchase.transaction_id,
            "tracking_number": purchase.tracking_number,
            "tracker_id": purchase.tracker_id,
            "tracking_url": purchase.tracking_url,
            "label_url": purchase.label_url,
            "label_format": purchase.label_format.value,
            "purchased_at": utcnow(),
            "last_error": None,
            "lease_owner": None,
            "lease_until": None,
        }
        if purchase.carrier:
            values["carrier"] = purchase.carrier
        if purchase.service:
            values["service"] = purchase.service
        if purchase.amount is not None:
            values["amount"] = purchase.amount
        detail = {"how": how, "tracking_number": purchase.tracking_number}
        with transaction(self.sessions) as session:
            row = self._leased(session, lease)
            before = row.state
            for name, value in values.items():
                setattr(row, name, value)
            row.state = ShipmentState.PURCHASED
            row.updated_at = utcnow()
            self._audit(session, lease.shipment_pk, how, actor, before, row.state, detail)
            _order_dispatched(session, row, actor)
            if label is not None:
                session.add(self._label_row(lease.shipment_pk, label))
            return row

    def failed(self, lease: Lease, reason: str, *, actor: str) -> Shipment:
        """Refused for good: the shipment is no longer live (the order may be shipped anew)."""
        return self._transition(
            lease,
            ShipmentState.FAILED,
            "failed",
            actor,
            {"reason": reason[:300]},
            last_error=reason[:300],
            lease_owner=None,
            lease_until=None,
        )

    def release(self, lease: Lease, reason: str) -> None:
        """Give the shipment up unfinished (retries exhausted): recovery may claim it at once."""
        with transaction(self.sessions) as session:
            session.execute(
                update(Shipment)
                .where(
                    col(Shipment.id) == lease.shipment_pk, col(Shipment.lease_owner) == lease.owner
                )
                .values(
                    last_error=reason[:300], lease_owner=None, lease_until=None, updated_at=utcnow()
                )
            )

    def note(self, shipment_pk: int, action: str, *, actor: str, detail: dict[str, Any]) -> None:
        """Audit something that happened to a shipment without changing its state."""
        with transaction(self.sessions) as session:
            row = session.get(Shipment, shipment_pk)
            assert row is not None
            self._audit(session, shipment_pk, action, actor, row.state, row.state, detail)

    def voided(self, shipment_pk: int, *, refund_status: str, actor: str, reason: str) -> Shipment:
        """Record a void/refund request the provider accepted."""
        with transaction(self.sessions) as session:
            row = session.get(Shipment, shipment_pk, with_for_update=True)
            assert row is not None
            before = row.state
            row.state = ShipmentState.VOIDED
            row.refund_status = refund_status
            row.voided_at = row.updated_at = utcnow()
            self._audit(
                session,
                shipment_pk,
                "voided",
                actor,
                before,
                row.state,
                {"refund_status": refund_status, "reason": reason[:200]},
            )
            order = session.get(Order, row.order_pk, with_for_update=True)
            assert order is not None
            if order.status in DISPATCHED:
                move(
                    session,
                    order,
                    OrderStatus.READY,
                    actor=actor,
                    reason="label voided",
                    evidence={"shipment": row.key},
                )
            return row

    def replaced(self, shipment_pk: int, *, actor: str, reason: str) -> Shipment:
        """Retire a purchased shipment whose label can no longer be voided, for a reship: it stays
        as history (its events kept) but is no longer live. The order's status is left to the
        new shipment."""
        with transaction(self.sessions) as session:
            row = session.get(Shipment, shipment_pk, with_for_update=True)
            assert row is not None
            before = row.state
            row.state = ShipmentState.REPLACED
            row.updated_at = utcnow()
            detail = {"reason": reason[:200]}
            self._audit(session, shipment_pk, "replaced", actor, before, row.state, detail)
            return row

    def store_label(self, shipment_pk: int, label: LabelFile) -> None:
        """Keep a label file fetched after the purchase; a second store is a no-op."""
        with transaction(self.sessions) as session:
            if session.get(ShipmentLabel, shipment_pk) is None:
                session.add(self._label_row(shipment_pk, label))

    def _label_row(self, shipment_pk: int, label: LabelFile) -> ShipmentLabel:
        return ShipmentLabel(
            shipment_pk=shipment_pk,
            label_format=label.label_format.value,
            sha256=hashlib.sha256(label.content).hexdigest(),
            size_bytes=len(label.content),
            content_encrypted=self.vault.encrypt(label.content),
            stored_at=utcnow(),
        )

    def _transition(
        self,
        lease: Lease,
        state: ShipmentState,
        action: str,
        actor: str,
        detail: dict[str, Any],
        **values: Any,
    ) -> Shipment:
        with transaction(self.sessions) as session:
            row = self._leased(session, lease)
            before = row.state
            for name, value in values.items():
                setattr(row, name, value)
            row.state = state
            row.updated_at = utcnow()
            self._audit(session, lease.shipment_pk, action, actor, before, state, detail)
            return row

    @staticmethod
    def _leased(session: Session, lease: Lease) -> Shipment:
        row = session.get(Shipment, lease.shipment_pk, with_for_update=True)
        if row is None or row.lease_owner != lease.owner:
            raise LeaseLostError(f"shipment {lease.shipment_pk} is being driven by another worker")
        return row

    @staticmethod
    def _audit(  # noqa: PLR0917 - one call shape for every transition
        session: Session,
        shipment_pk: int,
        action: str,
        actor: str,
        before: ShipmentState | None,
        after: ShipmentState,
        detail: dict[str, Any] | None = None,
    ) -> None:
        session.execute(
            insert(AuditEvent),
            [
                audit_row(
                    entity=ENTITY,
                    entity_id=shipment_pk,
                    action=action,
                    actor=actor,
                    from_status=before.value if before else None,
                    to_status=after.value,
                    detail=detail,
                )
            ],
        )


_DISPATCH_REASONS = {"courier": "courier job created", "dropship": "sent to the drop shipper"}


def _order_dispatched(session: Session, shipment: Shipment, actor: str) -> None:
    """A label or courier job exists: the order's journey is dispatched."""
    order = session.get(Order, shipment.order_pk, with_for_update=True)
    assert order is not None
    how = _DISPATCH_REASONS.get(shipment.carrier_type, "label bought")
    move(
        session,
        order,
        OrderStatus.DISPATCHED,
        actor=actor,
        reason=how,
        evidence={"shipment": shipment.key, "account": shipment.account},
    )
