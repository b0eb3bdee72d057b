"""The actions people take on an order from the queue: resolve a hold, cancel, complete a POD
from a paper or phone record, replay a dead-lettered write-back.

Each is checked against the role matrix (``catalog``), recorded in the order's history as one
entry (action name, who, role, why) and resolves the exceptions it answers. Carrier calls (a
label's void) are made with no transaction open.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from finalmile.db import transaction
from finalmile.db_types import utcnow
from finalmile.errors import ConflictError, FinalmileError, InputError
from finalmile.exceptions.catalog import Action, Actor, check_role
from finalmile.exceptions.codes import ExceptionCode
from finalmile.exceptions.recording import record_action, resolve_answered
from finalmile.orders import Order, OrderStatus, find_order, move
from finalmile.outbox import CancelledPayload, OutboxEvent, OutboxStatus, OutboxStore, Topic
from finalmile.outbox import enqueue as outbox_enqueue
from finalmile.rules import choose, current_decision
from finalmile.shipments import Shipment, ShipmentService, ShipmentState
from finalmile.tracking import EvidenceSettled, ReceiptRecord, complete_from_record, media_type
from finalmile.vault import Vault

log = structlog.get_logger(__name__)
_NOT_CANCELLABLE = (OrderStatus.DELIVERED,)


@dataclass(frozen=True)
class Cancelled:
    """A cancellation: whether it changed the order, and what became of its live label."""

    order_id: str
    changed: bool
    voided: bool
    void_error: str | None


class OrderActions:
    """The queue's actions on stored orders."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        vault: Vault,
        shipments: ShipmentService,
        outbox: OutboxStore,
        on_evidence_settled: EvidenceSettled,
        attachment_max_bytes: int,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.vault = vault
        self.shipments = shipments
        self.outbox = outbox
        self.on_evidence_settled = on_evidence_settled
        self.attachment_max_bytes = attachment_max_bytes
        self.clock = clock

    def check_attachment(self, content: bytes, *, location: str) -> None:
        """Refuse an attachment that is too large or not a PNG, JPEG or PDF.

        Raises:
            InputError: what is wrong, at ``location``.
        """
        if len(content) > self.attachment_max_bytes:
            raise InputError(
                f"the attachment is larger than {self.attachment_max_bytes} bytes",
                location=location,
                code=ExceptionCode.TOO_LARGE,
            )
        if media_type(content) is None:
            raise InputError(
                "the attachment must be a PNG or JPEG image or a PDF",
                location=location,
                code=ExceptionCode.NOT_IMAGE_OR_PDF,
            )

    def resolve_hold(
        self, *, order_id: str, connector: str | None, option: str, actor: Actor
    ) -> int:
        """Choose one of the options a held order's decision lists; the new decision's id.

        Raises:
            AuthError: the role may not resolve a hold.
            ConflictError: the order is not held (``not_held``), or ``option`` is not listed
                (``not_a_choice``: use an override).
        """
        check_role(Action.RESOLVE_HOLD, actor.role)
        now = self.clock()
        with transaction(self.sessions) as session:
            order = _locked(session, order_id, connector)
            held = current_decision(session=session, order_pk=order.id or 0)
            if order.status is not OrderStatus.HELD or held is None:
                raise ConflictError(
                    f"order {order_id!r} is {order.status.value}, not held; nothing to resolve",
                    code=ExceptionCode.NOT_HELD,
                )
            record = choose(
                session,
                vault=self.vault,
                order=order,
                held=held,
                label=option,
                actor=actor.name,
                role=actor.role.value,
                reason=actor.reason,
                now=now,
            )
            _answered(session, order, Action.RESOLVE_HOLD, actor, now=now)
        assert record.id is not None
        return record.id

    def cancel(self, *, order_id: str, connector: str | None, actor: Actor) -> Cancelled:
        """Cancel the order, tell the PMS (``order.cancelled``) and void its live label or
        courier job where the carrier lets it (the courier job leaves the driver's stops and
        the next re-plan). Cancelling a cancelled order changes nothing but tries a pending
        void again.

        Raises:
            AuthError: the role may not cancel.
            ConflictError: the order was delivered (``not_cancellable``).
        """
        check_role(Action.CANCEL, actor.role)
        now = self.clock()
        with transaction(self.sessions) as session:
            order = _locked(session, order_id, connector)
            assert order.id is not None
            if order.status in _NOT_CANCELLABLE:
                raise ConflictError(
                    f"order {order_id!r} is {order.status.value}; a finished journey cannot be "
                    "cancelled",
                    code=ExceptionCode.NOT_CANCELLABLE,
                )
            changed = order.status is not OrderStatus.CANCELLED
            if changed:
                move(
                    session,
                    order,
                    OrderStatus.CANCELLED,
                    actor=actor.name,
                    reason="cancelled by the pharmacy",
                    evidence={"role": actor.role.value},
                    at=now,
                )
                outbox_enqueue(
                    session,
                    topic=Topic.CANCELLED,
                    key=f"cancelled:{order.id}",
                    connector=order.connector,
                    payload=CancelledPayload(
                        order_id=order.order_id, order_pk=order.id, cancelled_at=now
                    ),
                )
                _answered(session, order, Action.CANCEL, actor, now=now)
            live = session.scalars(
                select(Shipment).where(
                    col(Shipment.order_pk) == order.id,
                    col(Shipment.state) == ShipmentState.PURCHASED.value,
                )
            ).first()
        voided, error = False, None
        if live is not None:
            try:
                self.shipments.void(shipment=live, actor=actor.name, reason="order cancelled")
                voided = True
            except FinalmileError as exc:  # the cancel_dispatched exception asks a person
                error = str(exc)[:200]
                log.warning("cancel_void_failed", order_id=order_id, error_type=type(exc).__name__)
        return Cancelled(order_id=order_id, changed=changed, voided=voided, void_error=error)

    def complete_pod(
        self,
        *,
        order_id: str,
        connector: str | None,
        record: ReceiptRecord,
        attachment: bytes,
        actor: Actor,
    ) -> None:
        """Complete a delivered order's POD from a paper or phone record with its attachment;
        billing is confirmed through the normal path in the same transaction.

        Raises:
            InputError: the attachment is too large, or not an image or a PDF.
            AuthError: the role may not complete a POD.
            ConflictError: the order is not delivered (``not_delivered``), or the POD cannot be
                completed with this record (what is missing named).
        """
        check_role(Action.COMPLETE_POD, actor.role)
        self.check_attachment(attachment, location="file")
        now = self.clock()
        with transaction(self.sessions) as session:
            order = _locked(session, order_id, connector)
            assert order.id is not None
            if order.status is not OrderStatus.DELIVERED:
                raise ConflictError(
                    f"order {order_id!r} is {order.status.value}; only a delivered order's proof "
                    "of delivery is completed",
                    code=ExceptionCode.NOT_DELIVERED,
                )
            complete_from_record(
                session,
                order_pk=order.id,
                record=record,
                attachment=attachment,
                actor=actor.name,
                vault=self.vault,
                now=now,
                on_settled=self.on_evidence_settled,
            )
            extra = {"obtained": record.obtained.value, "relationship": record.relationship.value}
            _answered(session, order, Action.COMPLETE_POD, actor, now=now, extra=extra)

    def replay_writebacks(self, *, order_id: str, connector: str | None, actor: Actor) -> list[int]:
        """Make the order's dead-lettered write-backs due again with a fresh budget; the outbox
        row ids. The writeback_dead exception is resolved (as this action) once they are
        delivered.

        Raises:
            AuthError: the role may not replay write-backs.
            ConflictError: the order has no dead-lettered write-back (``nothing_to_replay``).
        """
        check_role(Action.REPLAY_WRITEBACK, actor.role)
        now = self.clock()
        with transaction(self.sessions) as session:
            order = _locked(session, order_id, connector)
            dead = [
                row.id
                for row in session.scalars(
                    select(OutboxEvent).where(
                        col(OutboxEvent.connector) == order.connector,
                        col(OutboxEvent.order_id) == order.order_id,
                        col(OutboxEvent.status) == OutboxStatus.DEAD.value,
                    )
                )
                if row.id is not None
            ]
            if not dead:
                raise ConflictError(
                    f"order {order_id!r} has no dead-lettered write-back to replay",
                    code=ExceptionCode.NOTHING_TO_REPLAY,
                )
            record_action(
                session, order, Action.REPLAY_WRITEBACK, actor, now=now, extra={"outbox": dead}
            )
        for event_pk in dead:
            self.outbox.retry(event_pk, now=now)
        return dead


def _answered(
    session: Session,
    order: Order,
    action: Action,
    actor: Actor,
    *,
    now: dt.datetime,
    extra: dict[str, Any] | None = None,
) -> None:
    """Record ``action`` and resolve the exceptions it answers."""
    record_action(session, order, action, actor, now=now, extra=extra)
    resolve_answered(session, order, action, actor, now=now)


def _locked(session: Session, order_id: str, connector: str | None) -> Order:
    found = find_order(session=session, order_id=order_id, connector=connector)
    order = session.get(Order, found.id, with_for_update=True, populate_existing=True)
    assert order is not None and order.id is not None
    return order
