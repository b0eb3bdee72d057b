"""Deciding stored orders: pick the site and its active rule set, decide, store the decision.

``Decider.decide_backlog`` is the automatic path (a scheduler job): it finds orders in status
``received`` whose current version has no decision and decides them, a batch at a time. A crash
stores nothing of the batch and the next run takes the same orders again; an order whose decision
fails with a bug is stored as a hold, so no order is ever skipped silently.

Quotes can be carrier calls (``FINALMILE_QUOTES=live``), so they are never made inside a SQLite
transaction: SQLite has one write lock and intake acknowledges only once its own transaction
commits. A batch is read, quoted and decided with no transaction open, then stored for the orders
still pending at the version decided. On PostgreSQL the batch's rows stay leased (``FOR UPDATE
SKIP LOCKED``) while they are quoted, so two workers never quote the same order.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import structlog
from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased, sessionmaker
from sqlmodel import col

from finalmile.audit import AuditEvent, audit_row
from finalmile.auth import Role
from finalmile.canonical import DispatchOrder
from finalmile.db import transaction
from finalmile.db_types import utcnow
from finalmile.errors import ConfigError, ConflictError, RetriableError
from finalmile.items import ItemEntry
from finalmile.orders import (
    UNDISPATCHED,
    Order,
    OrderItem,
    OrderStatus,
    find_order,
    is_active,
    load_order,
    move,
)
from finalmile.rules.catalog import Catalog
from finalmile.rules.codes import RuleCode
from finalmile.rules.decision import Decision
from finalmile.rules.engine import decide
from finalmile.rules.facts import DeliveryType
from finalmile.rules.models import DecisionRecord, RuleSetVersion
from finalmile.rules.override import Override, StaffPurchase, Verdict
from finalmile.rules.quotes import QuoteSource
from finalmile.rules.site import Site
from finalmile.rules.versions import activate, active_version, compiled
from finalmile.vault import Vault

log = structlog.get_logger(__name__)

SYSTEM_ACTOR = "system"
#: The order history action of a staff override.
OVERRIDE_ACTION = "override"
NO_SITE = "(none)"
#: How many times ``decide_order`` starts over when the order changes while it is quoted.
ORDER_CHANGED_RETRIES = 3


@dataclass(frozen=True)
class StoredDecision:
    """A decision as stored: its row and the full decision JSON."""

    row: DecisionRecord
    decision: dict[str, object]


@dataclass(frozen=True)
class _Draft:
    """An order read for deciding: its row's key and version, the clock, and either the order
    with its site and rule set version, or the hold to store instead."""

    order_pk: int
    order_version: int
    now: dt.datetime
    order: DispatchOrder | None
    site: Site | None
    version: RuleSetVersion | None
    hold: Decision | None


class ItemEntries(Protocol):
    """The item master entries of an order's products (``ItemService`` is one)."""

    def entries_for(self, order: DispatchOrder) -> Mapping[str, ItemEntry]:
        """Entries by 11-digit NDC for the order's items."""
        ...


class Decider:
    """Decides stored orders under each site's active rule set."""

    def __init__(
        self,
        *,
        catalog: Catalog,
        sessions: sessionmaker[Session],
        vault: Vault,
        quotes: QuoteSource,
        items: ItemEntries | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.catalog = catalog
        self.sessions = sessions
        self.vault = vault
        self.quotes = quotes
        self.items = items
        self.clock = clock
        self._sites: dict[tuple[str, int], Site] = {}

    def decide_order(
        self,
        *,
        order_id: str,
        connector: str | None,
        actor: str,
        why: dict[str, str] | None = None,
    ) -> StoredDecision:
        """Decide one order now and store the decision (a new one each time it is asked);
        ``why`` (a person's role and reason) is recorded in the order's history.

        Raises:
            NotFoundError: no such order.
            ConflictError: the order is cancelled (``cancelled``), or dispatched or finished
                (``not_decidable``: its journey is under way or over).
            RetriableError: a quote source is down (nothing is stored).
        """
        for _ in range(ORDER_CHANGED_RETRIES):
            with transaction(self.sessions) as session:
                row = find_order(session=session, order_id=order_id, connector=connector)
                if row.status is OrderStatus.CANCELLED:
                    raise ConflictError(
                        f"order {order_id!r} is cancelled; nothing to decide",
                        code=RuleCode.CANCELLED,
                    )
                if row.status not in UNDISPATCHED:
                    raise ConflictError(
                        f"order {order_id!r} is {row.status.value}; only a received, held or "
                        "ready order is decided (void its label first)",
                        code=RuleCode.NOT_DECIDABLE,
                    )
                draft = self._draft(session, row)
            decision = self._decision(draft)
            if decision is None:
                raise RetriableError(f"quotes for order {order_id!r} are unavailable; try again")
            with transaction(self.sessions) as session:
                current = session.get(Order, draft.order_pk)
                if current is None or current.version != draft.order_version:
                    continue  # the order changed while it was quoted: decide the new version
                stored = self._store(
                    session, current, decision, draft.version, actor=actor, why=why
                )
            log.info(
                "order_decided",
                order_id=order_id,
                actor=actor,
                delivery_type=stored.row.delivery_type.value,
            )
            return stored
        raise RetriableError(f"order {order_id!r} kept changing while it was decided; try again")

    def decide_pending(self, *, limit: int = 100) -> int:
        """Decide up to ``limit`` received orders whose current version has no decision yet;
        returns how many decisions were stored (an order whose quotes are unavailable stays
        pending for the next run)."""
        leased = self.sessions.kw["bind"].dialect.name == "postgresql"
        if leased:
            with transaction(self.sessions) as session:
                drafts = [self._draft(session, row) for row in _pending(session, limit)]
                stored = self._store_decided(session, drafts)
        else:
            with transaction(self.sessions) as session:
                drafts = [self._draft(session, row) for row in _pending(session, limit)]
            decided = [(draft, self._decision(draft)) for draft in drafts]
            with transaction(self.sessions) as session:
                stored = self._store_decided(session, drafts, decided)
        if stored:
            log.info("pending_orders_decided", count=stored)
        return stored

    def decide_backlog(self, *, batch: int = 100) -> int:
        """Decide every pending order, a batch at a time (the scheduled job)."""
        total = 0
        while True:
            try:
                done = self.decide_pending(limit=batch)
            except Exception as exc:  # storage trouble: the next run tries again
                log.exception("decisions_failed", error_type=type(exc).__name__)
                return total
            total += done
            if done < batch:
                return total

    def site_for(self, session: Session, connector: str) -> tuple[Site, RuleSetVersion]:
        """The connector's site under its active rule set (activating the configured file the
        first time a site decides, so every decision names a stored version)."""
        config = self.catalog.site_config(connector=connector)
        version = active_version(session=session, site=config.name)
        if version is None:
            rules = self.catalog.rule_set(config.rules)
            version = activate(session=session, site=config.name, rules=rules, actor=SYSTEM_ACTOR)
        assert version.id is not None
        key = (config.name, version.id)
        if key not in self._sites:
            self._sites[key] = Site(config, compiled(version))
        return self._sites[key], version

    def _draft(self, session: Session, row: Order) -> _Draft:
        """What deciding ``row`` needs, read inside a transaction: the order, its site and rule
        set version (or, when it cannot be decided, the hold to store)."""
        assert row.id is not None
        now = self.clock()
        try:
            site, version = self.site_for(session, row.connector)
        except ConfigError as exc:  # one undecidable order must not block the others: hold it
            log.warning(
                "order_without_site",
                order_id=row.order_id,
                connector=row.connector,
                problems=exc.errors,
            )
            why = "; ".join(exc.errors)  # no site serves it, or its site cannot be built
            return _Draft(
                row.id, row.version, now, None, None, None, _hold(row.order_id, None, now, why)
            )
        try:
            items = session.scalars(select(OrderItem).where(col(OrderItem.order_pk) == row.id))
            order = load_order(row, list(items), vault=self.vault)
        except Exception as exc:  # a bug must not lose the order: hold it for a person
            log.exception("decision_crashed", order_id=row.order_id, error_type=type(exc).__name__)
            hold = _hold(row.order_id, site, now, "an internal error stopped the decision")
            return _Draft(row.id, row.version, now, None, site, version, hold)
        return _Draft(row.id, row.version, now, order, site, version, None)

    def _decision(self, draft: _Draft) -> Decision | None:
        """Quote and decide a draft (no transaction open); None when quotes are unavailable."""
        if draft.order is None or draft.site is None:
            assert draft.hold is not None
            return draft.hold
        order, site, now = draft.order, draft.site, draft.now
        try:
            quotes = self.quotes.quotes(order, site, now) if order.storage_known else ()
            entries = self.items.entries_for(order) if self.items is not None else None
            return decide(order, site, quotes, now, entries)
        except RetriableError as exc:  # a quote source is down: the order waits for next run
            log.warning("decision_deferred", order_id=order.order_id, error_type=type(exc).__name__)
            return None
        except Exception as exc:  # a bug must not lose the order: hold it for a person
            log.exception(
                "decision_crashed", order_id=order.order_id, error_type=type(exc).__name__
            )
            return _hold(order.order_id, site, now, "an internal error stopped the decision")

    def _store_decided(
        self,
        session: Session,
        drafts: list[_Draft],
        decided: list[tuple[_Draft, Decision | None]] | None = None,
    ) -> int:
        """Store each decision whose order is still received, at the version decided and not
        decided since; ``decided`` None: decide the drafts here (their rows are leased)."""
        if decided is None:
            decided = [(draft, self._decision(draft)) for draft in drafts]
        rows = _still_pending(session, [draft.order_pk for draft, _ in decided])
        stored = 0
        for draft, decision in decided:
            row = rows.get(draft.order_pk)
            if decision is None or row is None or row.version != draft.order_version:
                continue
            self._store(session, row, decision, draft.version, actor=SYSTEM_ACTOR)
            stored += 1
        return stored

    def _store(
        self,
        session: Session,
        row: Order,
        decision: Decision,
        version: RuleSetVersion | None,
        *,
        actor: str,
        why: dict[str, str] | None = None,
        overrides: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> StoredDecision:
        assert row.id is not None
        data = {**decision.to_json(), **(extra or {})}
        record = DecisionRecord(
            order_pk=row.id,
            order_version=row.version,
            site=decision.site,
            rule_set_pk=version.id if version else None,
            rule_set_version=version.version if version else None,
            delivery_type=decision.delivery_type,
            carrier=decision.carrier,
            service=decision.service,
            estimated_delivery=decision.estimated_delivery,
            cost=decision.cost,
            decision_encrypted=self.vault.encrypt(json.dumps(data).encode()),
            created_at=decision.decided_at,
            overrides_id=overrides,
        )
        session.add(record)
        session.flush()
        detail = {
            "decision_id": record.id,
            "version": row.version,
            "delivery_type": decision.delivery_type.value,
            "rule_set_version": record.rule_set_version,
            **(why or {}),
        }
        event = audit_row(
            entity="order",
            entity_id=row.id,
            action="decided",
            actor=actor,
            detail=detail,
            at=decision.decided_at,
        )
        session.add(AuditEvent(**event))
        if row.status in UNDISPATCHED:
            held = decision.delivery_type is DeliveryType.HOLD
            move(
                session,
                row,
                OrderStatus.HELD if held else OrderStatus.READY,
                actor=actor,
                reason="held for a person to decide" if held else "decided",
                evidence={"decision_id": record.id},
                at=decision.decided_at,
            )
        return StoredDecision(record, data)

    def store_override(
        self,
        session: Session,
        row: Order,
        *,
        previous: DecisionRecord,
        choice: StaffPurchase,
        verdict: Verdict,
        override: Override,
        role: Role,
        plans_left: Sequence[int] = (),
    ) -> StoredDecision:
        """Store staff's ``choice`` as the order's decision, superseding ``previous``, and write
        the order's history entry (action ``override``: reason, role, superseded decision, the
        new choice and the courier ``plans_left``, no patient data). The caller has admitted it
        (``Verdict.admit``)."""
        assert row.id is not None and previous.id is not None
        now = self.clock()
        before = self.read(previous)
        quote = choice.quote
        reason = (override.reason or "").strip()
        decision = Decision(
            order_id=row.order_id,
            site=previous.site,
            delivery_type=choice.delivery_type,
            carrier=choice.carrier,
            service=choice.service,
            label=choice.label,
            ship_at=None,
            estimated_delivery=quote.estimated_delivery if quote else None,
            cost=quote.cost if quote else None,
            options=tuple(sorted(option.value for option in choice.options)),
            rule_set=str(before.get("rule_set") or ""),
            rule_set_version=previous.rule_set_version,
            rule_set_sha256=str(before.get("rule_set_sha256") or ""),
            decided_at=now,
            reasons=(
                f"Override by {override.by} as {role.value}, superseding decision "
                f"{previous.id}: {reason}",
                *verdict.contradictions,
                *(f"Hard constraint overridden: {broken}" for broken in verdict.hard),
                f"Chose {choice.label}",
            ),
        )
        detail = {
            "reason": reason,
            "role": role.value,
            "by": override.by,
            "superseded_decision_id": previous.id,
            "contradictions": list(verdict.contradictions),
            "hard_constraints": list(verdict.hard),
        }
        version = (
            session.get(RuleSetVersion, previous.rule_set_pk) if previous.rule_set_pk else None
        )
        stored = self._store(
            session,
            row,
            decision,
            version,
            actor=override.by,
            overrides=previous.id,
            extra={"override": detail},
        )
        event = audit_row(
            entity="order",
            entity_id=row.id,
            action=OVERRIDE_ACTION,
            actor=override.by,
            detail={
                **detail,
                "decision_id": stored.row.id,
                "delivery_type": choice.delivery_type.value,
                "carrier": choice.carrier,
                "service": choice.service,
                "left_route_plans": list(plans_left),
            },
            at=now,
        )
        session.add(AuditEvent(**event))
        session.flush()
        return stored

    def read(self, record: DecisionRecord) -> dict[str, object]:
        """The full decision JSON of a stored row."""
        data: dict[str, object] = json.loads(self.vault.decrypt(record.decision_encrypted))
        return data


def current_decision(*, session: Session, order_pk: int) -> DecisionRecord | None:
    """The newest decision of an order, if any."""
    return session.scalars(
        select(DecisionRecord)
        .where(col(DecisionRecord.order_pk) == order_pk)
        .order_by(col(DecisionRecord.id).desc())
        .limit(1)
    ).first()


def list_current(
    *,
    session: Session,
    delivery_type: DeliveryType | None,
    limit: int,
    before: int | None = None,
) -> list[tuple[DecisionRecord, Order]]:
    """Each order's newest decision (optionally of one type, e.g. holds), newest first;
    ``before`` continues from a decision id (keyset pagination)."""
    later = aliased(DecisionRecord)
    superseded = exists().where(
        col(later.order_pk) == col(DecisionRecord.order_pk), col(later.id) > col(DecisionRecord.id)
    )
    statement = (
        select(DecisionRecord, Order)
        .join(Order, col(Order.id) == col(DecisionRecord.order_pk))
        .where(~superseded, is_active())
        .order_by(col(DecisionRecord.id).desc())
        .limit(limit)
    )
    if delivery_type is not None:
        statement = statement.where(col(DecisionRecord.delivery_type) == delivery_type.value)
    if before is not None:
        statement = statement.where(col(DecisionRecord.id) < before)
    return [(record, order) for record, order in session.execute(statement)]


def _pending(session: Session, limit: int) -> list[Order]:
    decided = exists().where(
        col(DecisionRecord.order_pk) == col(Order.id),
        col(DecisionRecord.order_version) == col(Order.version),
    )
    statement = select(Order).where(is_active(), ~decided).order_by(col(Order.id)).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(of=Order, skip_locked=True)
    return list(session.scalars(statement))


def _still_pending(session: Session, order_pks: list[int]) -> dict[int, Order]:
    """Of ``order_pks``, the orders still received whose current version has no decision."""
    if not order_pks:
        return {}
    decided = exists().where(
        col(DecisionRecord.order_pk) == col(Order.id),
        col(DecisionRecord.order_version) == col(Order.version),
    )
    statement = select(Order).where(col(Order.id).in_(order_pks), is_active(), ~decided)
    return {row.id: row for row in session.scalars(statement) if row.id is not None}


def _hold(order_id: str, site: Site | None, now: dt.datetime, why: str) -> Decision:
    rules = site.rules if site is not None else None
    return Decision(
        order_id=order_id,
        site=site.name if site is not None else NO_SITE,
        delivery_type=DeliveryType.HOLD,
        carrier=None,
        service=None,
        label=None,
        ship_at=None,
        estimated_delivery=None,
        cost=None,
        options=(),
        rule_set=rules.name if rules else "",
        rule_set_version=rules.version if rules else None,
        rule_set_sha256=rules.sha256 if rules else "",
        decided_at=now,
        reasons=(f"Hold: {why}; a person must decide",),
    )
