"""Dispatch: turn each current ``carrier`` or ``courier`` decision into a bought shipment.

An order is due when it is ``received``, its newest decision is for its current version and sends
it by carrier or courier, and it has no shipment other than voided ones. The buy goes through
``ShipmentService.buy`` with the decided account (the decision's ``carrier``), service and extras,
which commits its intent before calling the carrier and allows one live shipment per order: a
crash mid-buy leaves a ``purchasing`` row that recovery finishes, and running dispatch again (or
twice at once) buys nothing more. A carrier that is down leaves the order due for the next run; a
refusal leaves a ``failed`` shipment, which takes the order off the automatic path until a person
re-decides it or runs ``finalmile dispatch --order``. Holds and drop-ship decisions are not touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import structlog
from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session, aliased, sessionmaker
from sqlmodel import col

from finalmile.carriers import ShipmentOptions
from finalmile.db import transaction
from finalmile.errors import ConflictError, FinalmileError, RetriableError
from finalmile.orders import Order, OrderItem, OrderStatus, find_order, is_active, load_order
from finalmile.rules import Decider, DecisionRecord, DeliveryOption, DeliveryType, current_decision
from finalmile.shipments.codes import ShipmentCode
from finalmile.shipments.models import Shipment, ShipmentState
from finalmile.shipments.service import BuyRequest, ShipmentService

log = structlog.get_logger(__name__)

DISPATCHED_TYPES = (DeliveryType.CARRIER, DeliveryType.COURIER)
ACTOR = "dispatch"


@dataclass(frozen=True)
class Dispatched:
    """What dispatch did for one order: the shipment key, or why it has none (no patient data)."""

    order_id: str
    shipment: Shipment | None = None
    error: str | None = None
    retriable: bool = False


@dataclass(frozen=True)
class _Due:
    order_id: str
    connector: str
    account: str
    service: str | None
    options: ShipmentOptions
    problem: str | None = None  # why it cannot be bought automatically


class Dispatcher:
    """Buys the shipment each carrier or courier decision names, once."""

    def __init__(
        self, *, sessions: sessionmaker[Session], decider: Decider, shipments: ShipmentService
    ) -> None:
        self.sessions = sessions
        self.decider = decider
        self.shipments = shipments

    def dispatch_pending(self, *, limit: int = 100) -> list[Dispatched]:
        """Buy for every due order, ``limit`` at a time, oldest decision first (each order at most
        once per call, so an order that cannot be bought does not hold up the others)."""
        done: list[Dispatched] = []
        after = 0
        while True:
            with transaction(self.sessions) as session:
                rows = list(session.execute(_due(limit, after)))
                due = [self._request(session, record, order) for record, order in rows]
            done.extend(self._buy(request) for request in due)
            if len(rows) < limit:
                break
            after = rows[-1][0].id or after
        if done:
            log.info("orders_dispatched", count=sum(d.shipment is not None for d in done))
        return done

    def dispatch_order(self, *, order_id: str, connector: str | None = None) -> Dispatched:
        """Buy for one order now, even after a refused attempt (a person asked).

        Raises:
            NotFoundError: no such order.
            ConflictError: the order is cancelled, or its current decision is not a carrier
                or courier decision for its current version (``not_dispatchable``).
        """
        with transaction(self.sessions) as session:
            request = self._checked(session, order_id, connector)
        return self._buy(request)

    def decided(self, *, order_id: str, connector: str | None = None) -> BuyRequest:
        """What the order's current decision buys (account, service, extras), for a person who
        buys again (a reship) through ``ShipmentService.buy``.

        Raises:
            NotFoundError: no such order.
            ConflictError: as ``dispatch_order``, or the decision asks for what cannot be bought
                automatically (``not_dispatchable``, saying what).
        """
        with transaction(self.sessions) as session:
            due = self._checked(session, order_id, connector)
        if due.problem is not None:
            raise ConflictError(
                f"order {order_id!r}: {due.problem}", code=ShipmentCode.NOT_DISPATCHABLE
            )
        return BuyRequest(
            order_id=due.order_id,
            account=due.account,
            service=due.service,
            options=due.options,
            connector=due.connector,
        )

    def _checked(self, session: Session, order_id: str, connector: str | None) -> _Due:
        order = find_order(session=session, order_id=order_id, connector=connector)
        assert order.id is not None
        record = current_decision(session=session, order_pk=order.id)
        if order.status is OrderStatus.CANCELLED:
            raise ConflictError(
                f"order {order_id!r} is {order.status.value}; nothing to dispatch",
                code=ShipmentCode.NOT_DISPATCHABLE,
            )
        if (
            record is None
            or record.order_version != order.version
            or record.delivery_type not in DISPATCHED_TYPES
        ):
            raise ConflictError(
                f"order {order_id!r} has no current carrier or courier decision",
                code=ShipmentCode.NOT_DISPATCHABLE,
            )
        return self._request(session, record, order)

    def run(self) -> int:
        """The scheduled job: dispatch every due order; returns how many got a shipment."""
        try:
            done = self.dispatch_pending()
        except Exception as exc:  # storage trouble: the next run takes the same orders again
            log.exception("dispatch_failed", error_type=type(exc).__name__)
            return 0
        return sum(d.shipment is not None for d in done)

    def _request(self, session: Session, record: DecisionRecord, order: Order) -> _Due:
        assert record.carrier is not None
        options = self.decider.read(record).get("options")
        assert isinstance(options, list)
        wanted = {DeliveryOption(o) for o in options}
        insured: Decimal | None = None
        problem = None
        if DeliveryOption.INSURANCE in wanted:
            site, _ = self.decider.site_for(session, order.connector)
            items = session.scalars(select(OrderItem).where(col(OrderItem.order_pk) == order.id))
            value = site.declared_value(load_order(order, list(items), vault=self.decider.vault))
            insured = value if value > 0 else None
            if insured is None:
                problem = "the decision requires insurance but the order declares no value"
        return _Due(
            order_id=order.order_id,
            connector=order.connector,
            account=record.carrier,
            service=record.service,
            options=ShipmentOptions(
                adult_signature=DeliveryOption.ADULT_SIGNATURE in wanted,
                saturday_delivery=DeliveryOption.SATURDAY_DELIVERY in wanted,
                dry_ice=DeliveryOption.DRY_ICE in wanted,
                insured_value=insured,
            ),
            problem=problem,
        )

    def _buy(self, request: _Due) -> Dispatched:
        if request.problem is not None:
            log.warning("dispatch_needs_person", order_id=request.order_id, why=request.problem)
            return Dispatched(request.order_id, error=request.problem)
        try:
            shipment = self.shipments.buy(
                order_id=request.order_id,
                account=request.account,
                service=request.service,
                options=request.options,
                connector=request.connector,
                actor=ACTOR,
            )
        except FinalmileError as exc:
            retriable = isinstance(exc, RetriableError)
            log.warning(
                "dispatch_not_bought",
                order_id=request.order_id,
                account=request.account,
                retriable=retriable,
                error_type=type(exc).__name__,
            )
            return Dispatched(request.order_id, error=str(exc), retriable=retriable)
        log.info("order_dispatched", order_id=request.order_id, shipment=shipment.key)
        return Dispatched(request.order_id, shipment=shipment)


def _due(limit: int, after: int) -> Select[DecisionRecord, Order]:
    later = aliased(DecisionRecord)
    superseded = exists().where(
        col(later.order_pk) == col(DecisionRecord.order_pk), col(later.id) > col(DecisionRecord.id)
    )
    shipped = exists().where(
        col(Shipment.order_pk) == col(Order.id), col(Shipment.state) != ShipmentState.VOIDED.value
    )
    return (
        select(DecisionRecord, Order)
        .join(Order, col(Order.id) == col(DecisionRecord.order_pk))
        .where(
            ~superseded,
            ~shipped,
            col(DecisionRecord.order_version) == col(Order.version),
            col(DecisionRecord.delivery_type).in_([t.value for t in DISPATCHED_TYPES]),
            is_active(),
            col(DecisionRecord.id) > after,
        )
        .order_by(col(DecisionRecord.id))
        .limit(limit)
    )
