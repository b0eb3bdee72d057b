"""Getting an order delivered after its journey went wrong: reattempt a failed courier stop,
reship, and the pharmacist's disposition of a temperature excursion.

Each action is checked against the role matrix (``catalog.ACTIONS``), refused with a
``ConflictError`` naming the order's status when that status does not allow it, recorded in the
order's history with who, in which role and why (``detail.action``, ``detail.role``,
``detail.reason``). Reasons are plain words without patient data; a disposition's note may
hold some, so it is stored encrypted and the history keeps only its digest. Each action resolves
the open exceptions it clears.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from finalmile.carriers import ShipmentOptions, TrackingStatus
from finalmile.courier import CourierReattempt, next_delivery_day
from finalmile.db import transaction
from finalmile.db_types import utcnow
from finalmile.errors import ConflictError, InputError, PermanentError
from finalmile.evidence import (
    Disposition,
    ExcursionDisposition,
    Verdict,
    newest_disposition,
    newest_evaluation_id,
    temperature_verdict,
)
from finalmile.exceptions.catalog import Action, Actor, check_role
from finalmile.exceptions.codes import ExceptionCode
from finalmile.exceptions.models import ExceptionKind
from finalmile.exceptions.recording import record_action, resolve_answered
from finalmile.orders import Order, OrderStatus, find_order, move
from finalmile.rules import WEEKDAYS, Decider, DeliveryType, current_decision
from finalmile.shipments import (
    BuyRequest,
    Dispatcher,
    Shipment,
    ShipmentCode,
    ShipmentService,
    ShipmentState,
)
from finalmile.tracking import CustodyKind, EvidenceSettled, TrackingState, custody
from finalmile.vault import Vault

#: Where a reship may start from (``delivered`` only after a quarantine or destroy_reship).
RESHIP_FROM = frozenset(
    {
        OrderStatus.DISPATCHED,
        OrderStatus.FAILED_ATTEMPT,
        OrderStatus.RETURNED,
        OrderStatus.DELIVERED,
    }
)
#: A label nobody has scanned yet can still be voided (refunded).
_UNUSED = frozenset({None, TrackingStatus.PRE_TRANSIT, TrackingStatus.UNKNOWN})


@dataclass(frozen=True)
class Reattempted:
    """A reattempt: the order's new status and the day its stop is routed again."""

    order_id: str
    status: OrderStatus
    delivery_date: dt.date


@dataclass(frozen=True)
class Disposed:
    """A disposition: what was decided, the order's status and the reship it started, if any."""

    order_id: str
    disposition: Disposition
    status: OrderStatus
    reship: Shipment | None = None


class Redelivery:
    """Reattempt, reship and excursion disposition of stored orders."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        vault: Vault,
        shipments: ShipmentService,
        dispatcher: Dispatcher,
        decider: Decider,
        on_settled: EvidenceSettled,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.vault = vault
        self.shipments = shipments
        self.dispatcher = dispatcher
        self.decider = decider
        self.on_settled = on_settled
        self.clock = clock

    def reattempt(
        self,
        *,
        order_id: str,
        by: Actor,
        date: dt.date | None = None,
        connector: str | None = None,
    ) -> Reattempted:
        """Put a failed in-house courier stop back on the route of ``date`` (default: the site's
        next courier day); the order becomes ``dispatched`` again.

        Raises:
            AuthError: the role may not reattempt.
            ConflictError: the order is not ``failed_attempt`` (``wrong_status``), or its
                shipment is not with our own drivers (``not_our_route``: reship instead).
            InputError: ``date`` has passed or no courier shift runs on it.
        """
        check_role(Action.REATTEMPT, by.role)
        now = self.clock()
        with transaction(self.sessions) as session:
            order = _locked(session, order_id, connector)
            _must_be(order, {OrderStatus.FAILED_ATTEMPT}, Action.REATTEMPT)
            shipment = _live(session, order)
            if shipment is None:
                raise _wrong_status(order, Action.REATTEMPT)
            account = self.shipments.account(shipment.account)
            if not account.tracked_by_drivers:
                raise ConflictError(
                    f"order {order_id!r} travels with {shipment.account!r}, which makes its own"
                    " further delivery attempts; wait for it, or reship",
                    location="order_id",
                    code=ExceptionCode.NOT_OUR_ROUTE,
                )
            day = self._day(session, order, date, now)
            assert order.id is not None and shipment.id is not None
            session.add(
                CourierReattempt(
                    order_pk=order.id,
                    shipment_pk=shipment.id,
                    delivery_date=day,
                    actor=by.name,
                    created_at=now,
                )
            )
            move(
                session,
                order,
                OrderStatus.DISPATCHED,
                actor=by.name,
                reason=by.reason,
                evidence={
                    "action": Action.REATTEMPT.value,
                    "role": by.role.value,
                    "shipment": shipment.key,
                    "delivery_date": day.isoformat(),
                },
                at=now,
            )
            resolve_answered(
                session, order, Action.REATTEMPT, by, now=now, kinds={ExceptionKind.FAILED_ATTEMPT}
            )
            return Reattempted(order.order_id, order.status, day)

    def reship(
        self,
        *,
        order_id: str,
        by: Actor,
        account: str | None = None,
        service: str | None = None,
        connector: str | None = None,
    ) -> Shipment:
        """Send the order again: void the live label when nobody has scanned it (else keep it as
        ``replaced`` history) and buy anew through ``ShipmentService.buy`` with the current
        decision's account and service unless ``account``/``service`` are given.

        Raises:
            AuthError: the role may not reship.
            ConflictError: the order's status allows no reship (``wrong_status``), a purchase is
                in progress, or the decision cannot be bought (``not_dispatchable``).
            PermanentError / RetriableError: the carrier refused the new label, or its outcome
                is open (as for any purchase).
        """
        check_role(Action.RESHIP, by.role)
        with transaction(self.sessions) as session:
            order = _locked(session, order_id, connector)
            _must_be(order, RESHIP_FROM, Action.RESHIP)
            if order.status is OrderStatus.DELIVERED:
                assert order.id is not None
                found = newest_disposition(session, order.id)
                if found is None or found.disposition is Disposition.RELEASE:
                    raise ConflictError(
                        f"order {order_id!r} is delivered; a delivered order is reshipped only"
                        " after a pharmacist quarantines or destroys it",
                        location="order_id",
                        code=ExceptionCode.WRONG_STATUS,
                    )
            old = _live(session, order)
            unused = old is not None and _status_of(session, old) in _UNUSED
        wanted = self._wanted(order_id, connector, old)
        account = account or wanted.account
        service = service if account != wanted.account or service else wanted.service
        now = self.clock()
        with transaction(self.sessions) as session:
            order = _locked(session, order_id, connector)
            detail = {"old_shipment": old.key if old else None, "account": account}
            record_action(session, order, Action.RESHIP, by, now=now, extra=detail)
        if old is not None:
            self._retire(old, unused=unused, by=by)
        bought = self.shipments.buy(
            order_id=wanted.order_id,
            account=account,
            service=service,
            options=wanted.options,
            connector=wanted.connector,
            actor=by.name,
        )
        with transaction(self.sessions) as session:
            order = _locked(session, order_id, connector)
            kinds = {ExceptionKind.FAILED_ATTEMPT, ExceptionKind.RETURNED}
            resolve_answered(session, order, Action.RESHIP, by, now=self.clock(), kinds=kinds)
        return bought

    def dispose(
        self,
        *,
        order_id: str,
        disposition: Disposition,
        note: str,
        by: Actor,
        connector: str | None = None,
    ) -> Disposed:
        """Record the pharmacist's disposition of the order's temperature excursion.

        ``release`` lets billing go ahead (it counts as a pass); ``quarantine`` keeps billing
        blocked and records the product's return to the pharmacy in custody; ``destroy_reship``
        starts a reship. The note is stored encrypted.

        Raises:
            AuthError: the role is not pharmacist (or admin).
            ConflictError: the order's newest temperature verdict is not an excursion
                (``no_excursion``), or it is cancelled.
        """
        check_role(Action.DISPOSITION, by.role)
        now = self.clock()
        with transaction(self.sessions) as session:
            order = _locked(session, order_id, connector)
            assert order.id is not None
            if order.status is OrderStatus.CANCELLED:
                raise _wrong_status(order, Action.DISPOSITION)
            verdict = temperature_verdict(session, order.id)
            evaluation = newest_evaluation_id(session, order.id)
            if verdict is not Verdict.EXCURSION or evaluation is None:
                said = verdict.value if verdict else "none (no temperature log)"
                raise ConflictError(
                    f"order {order_id!r}: the newest temperature verdict is {said}; only an"
                    " excursion takes a disposition",
                    location="order_id",
                    code=ExceptionCode.NO_EXCURSION,
                )
            session.add(
                ExcursionDisposition(
                    order_pk=order.id,
                    evaluation_id=evaluation,
                    disposition=disposition,
                    note_encrypted=self.vault.encrypt(note.encode()),
                    actor=by.name,
                    role=by.role.value,
                    decided_at=now,
                )
            )
            digest = hashlib.sha256(note.encode()).hexdigest()
            detail = {
                "disposition": disposition.value,
                "evaluation": evaluation,
                "note_sha256": digest,
                "note_length": len(note),
            }
            record_action(session, order, Action.DISPOSITION, by, now=now, extra=detail)
            resolve_answered(
                session, order, Action.DISPOSITION, by, now=now, kinds={ExceptionKind.EXCURSION}
            )
            if disposition is Disposition.QUARANTINE:
                custody.append(
                    session,
                    order_pk=order.id,
                    kind=CustodyKind.RETURNED_TO_PHARMACY,
                    actor=by.name,
                    at=now,
                    detail={"disposition": disposition.value},
                )
            if disposition is Disposition.RELEASE:
                session.flush()
                self.on_settled(session, order.id)
            status = order.status
        if disposition is Disposition.DESTROY_RESHIP:
            shipment = self.reship(order_id=order_id, by=by, connector=connector)
            return Disposed(order_id, disposition, OrderStatus.DISPATCHED, shipment)
        return Disposed(order_id, disposition, status)

    def _day(
        self, session: Session, order: Order, date: dt.date | None, now: dt.datetime
    ) -> dt.date:
        assert order.id is not None
        record = current_decision(session=session, order_pk=order.id)
        site = record.site if record and record.delivery_type is DeliveryType.COURIER else None
        config = self.decider.catalog.site_config(site, connector=order.connector)
        day = date or next_delivery_day(config, now)
        runs = (
            config.courier is not None
            and day is not None
            and any(WEEKDAYS[day.weekday()] in shift.days for shift in config.courier.shifts)
        )
        if day is None or not runs:
            raise InputError(
                f"site {config.name!r} runs no courier shift on that day",
                location="date",
                code=ExceptionCode.NO_DELIVERY_DAY,
            )
        if day < now.astimezone(ZoneInfo(config.timezone)).date():
            raise InputError("the reattempt date has passed", location="date")
        return day

    def _wanted(self, order_id: str, connector: str | None, old: Shipment | None) -> BuyRequest:
        """What the current decision buys; without a carrier or courier decision, what the
        shipment being replaced bought."""
        try:
            return self.dispatcher.decided(order_id=order_id, connector=connector)
        except ConflictError as exc:
            if old is None or exc.code is not ShipmentCode.NOT_DISPATCHABLE:
                raise
        return BuyRequest(
            order_id=old.order_id,
            account=old.account,
            service=old.requested_service,
            options=ShipmentOptions.model_validate(old.options),
            connector=connector,
        )

    def _retire(self, old: Shipment, *, unused: bool, by: Actor) -> None:
        why = f"reship: {by.reason}"
        if old.state is ShipmentState.PURCHASING:
            raise ConflictError(
                f"a purchase for order {old.order_id!r} is in progress; wait for it to finish",
                location="order_id",
                code=ExceptionCode.PURCHASE_IN_PROGRESS,
            )
        assert old.id is not None
        if unused:
            try:
                self.shipments.void(shipment=old, actor=by.name, reason=why)
                return
            except PermanentError:
                pass  # the carrier keeps the label: it stays as history, replaced
        self.shipments.store.replaced(old.id, actor=by.name, reason=why)


def _locked(session: Session, order_id: str, connector: str | None) -> Order:
    found = find_order(session=session, order_id=order_id, connector=connector)
    order = session.get(Order, found.id, with_for_update=True, populate_existing=True)
    assert order is not None
    return order


def _must_be(order: Order, allowed: Collection[OrderStatus], action: Action) -> None:
    if order.status not in allowed:
        raise _wrong_status(order, action)


def _wrong_status(order: Order, action: Action) -> ConflictError:
    return ConflictError(
        f"order {order.order_id!r} is {order.status.value}; {action.value} is not possible then",
        location="order_id",
        code=ExceptionCode.WRONG_STATUS,
    )


def _live(session: Session, order: Order) -> Shipment | None:
    return session.scalars(
        select(Shipment).where(
            col(Shipment.order_pk) == order.id,
            col(Shipment.state).in_(
                [ShipmentState.PURCHASED.value, ShipmentState.PURCHASING.value]
            ),
        )
    ).first()


def _status_of(session: Session, shipment: Shipment) -> TrackingStatus | None:
    state = session.get(TrackingState, shipment.id)
    return state.status if state is not None else None
