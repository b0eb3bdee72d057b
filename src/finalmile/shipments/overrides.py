"""Staff purchases against the decision: refused unless overridden, and recorded when they are.

Before a label is bought for an order that has a decision, the purchase (account, the rated
service, the extras) is judged against it (``rules.judge``). A purchase that contradicts the
decision or breaks a hard constraint needs an override reason and the role (``Verdict.admit``);
an accepted one is stored, in one transaction before anything is bought, as a decision that
supersedes the current one with the order's history entry (action ``override``), and the order
leaves any courier plan in force (``LeavePlans``, the courier's, handed in by the root).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from finalmile.carriers import CarrierAccount, Quote, ShipmentOptions, Trait
from finalmile.db import transaction
from finalmile.db_types import utcnow
from finalmile.errors import RetriableError
from finalmile.orders import Order, OrderItem, load_order
from finalmile.rules import (
    Decider,
    DeliveryOption,
    DeliveryType,
    Override,
    Site,
    StaffPurchase,
    carrier_quote,
    current_decision,
    judge,
)


class LeavePlans(Protocol):
    """Takes an order off the courier plans in force; returns the plans' ids."""

    def __call__(self, session: Session, *, order_id: str, actor: str, reason: str) -> list[int]:
        """Remove the order's stops (the caller commits)."""
        ...


class OverrideGuard:
    """Judges staff purchases against the current decision and stores accepted overrides."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        decider: Decider,
        leave_plans: LeavePlans,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.decider = decider
        self.leave_plans = leave_plans
        self.clock = clock

    def admit(
        self,
        *,
        order: Order,
        carrier: CarrierAccount,
        quote: Quote | None,
        options: ShipmentOptions,
        override: Override,
    ) -> int | None:
        """Let the purchase go ahead: None when it agrees with the decision (or there is none),
        else the id of the override decision stored for it.

        Raises:
            ConflictError: it contradicts the decision and carries no override reason (409).
            AuthError: the override needs a role the caller lacks (403).
            RetriableError: the decision changed while it was judged (nothing stored).
        """
        assert order.id is not None
        with transaction(self.sessions) as session:
            record = current_decision(session=session, order_pk=order.id)
            if record is None:
                return None
            site, _ = self.decider.site_for(session, order.connector)
            items = session.scalars(select(OrderItem).where(col(OrderItem.order_pk) == order.id))
            loaded = load_order(order, list(items), vault=self.decider.vault)
        choice = _choice(carrier, quote, options, site)
        verdict = judge(
            self.decider.read(record), choice, order=loaded, site=site, now=self.clock()
        )
        if not verdict.needed:
            return None
        role = verdict.admit(override)
        with transaction(self.sessions) as session:
            row = session.get(Order, order.id, with_for_update=True)
            latest = current_decision(session=session, order_pk=order.id)
            if row is None or latest is None or latest.id != record.id:
                raise RetriableError(
                    f"the decision of order {order.order_id!r} changed meanwhile; try again"
                )
            left = self.leave_plans(
                session, order_id=order.order_id, actor=override.by, reason="decision overridden"
            )
            stored = self.decider.store_override(
                session,
                row,
                previous=record,
                choice=choice,
                verdict=verdict,
                override=override,
                role=role,
                plans_left=left,
            )
        assert stored.row.id is not None
        return stored.row.id


def _choice(
    carrier: CarrierAccount, quote: Quote | None, options: ShipmentOptions, site: Site
) -> StaffPurchase:
    """The purchase as a choice the rules can judge."""
    if Trait.RECORDS_EXTERNAL in carrier.info.traits:
        kind = DeliveryType.DROP_SHIP
    elif carrier.tracked_by_drivers:
        kind = DeliveryType.COURIER
    else:
        kind = DeliveryType.CARRIER
    placed = carrier_quote(carrier.name, quote, site) if quote is not None else None
    if quote is None:
        label = f"{kind.value.replace('_', ' ')} ({carrier.name})"
    else:
        label = placed.label if placed and placed.label else f"{quote.carrier} {quote.service}"
    return StaffPurchase(
        delivery_type=kind,
        carrier=carrier.name,
        service=quote.service_code if quote is not None else None,
        label=label,
        options=_options(options),
        quote=placed,
    )


def _options(options: ShipmentOptions) -> frozenset[DeliveryOption]:
    chosen = set()
    if options.adult_signature:
        chosen.add(DeliveryOption.ADULT_SIGNATURE)
    if options.saturday_delivery:
        chosen.add(DeliveryOption.SATURDAY_DELIVERY)
    if options.dry_ice_weight_oz is not None:
        chosen.add(DeliveryOption.DRY_ICE)
    if options.insured_value is not None:
        chosen.add(DeliveryOption.INSURANCE)
    return frozenset(chosen)
