"""Commit a batch of prepared messages in one transaction (group commit).

The store reads what the batch needs (stored originals of resends, current order states), lets
``intake.plan`` decide each message in order, then writes raw message rows (encrypted), orders,
items, links and audit events with a fixed number of bulk statements. Concurrent writers on
PostgreSQL may race on the unique keys; the loser's transaction is retried from fresh state.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_random_exponential

from finalmile.audit import AuditEvent, audit_row
from finalmile.db_types import utcnow
from finalmile.errors import ErrorCode, InputError
from finalmile.intake.models import ConnectorCursor
from finalmile.intake.outcome import Outcome, OutcomeKind
from finalmile.intake.plan import (
    OrderState,
    Original,
    PlannedMessage,
    dedupe_key,
    outcome_of,
    plan_message,
)
from finalmile.intake.prepare import PreparedMessage
from finalmile.intake.storage import resolve_storage
from finalmile.items import StorageResolver
from finalmile.messages import InboundMessage, MessageOrderLink, MessageStatus
from finalmile.orders import Order, OrderItem, item_rows, order_columns
from finalmile.vault import Vault

log = structlog.get_logger(__name__)

STORAGE_ATTEMPTS = 4

# Bulk writes go to the Core tables: the ORM's bulk-insert layer adds per-row work we do not need.
_MESSAGES = InboundMessage.__table__  # type: ignore[attr-defined]
_ORDERS = Order.__table__  # type: ignore[attr-defined]
_ITEMS = OrderItem.__table__  # type: ignore[attr-defined]
_LINKS = MessageOrderLink.__table__  # type: ignore[attr-defined]
_AUDIT = AuditEvent.__table__  # type: ignore[attr-defined]
_CURSORS = ConnectorCursor.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class CursorUpdate:
    """A connector position to save in the same transaction as the messages read up to it."""

    connector: str
    name: str
    value: str


class IntakeStore:
    """Writes prepared messages and their orders; safe to share between threads."""

    def __init__(
        self, engine: Engine, vault: Vault, *, storage: StorageResolver | None = None
    ) -> None:
        """``storage`` resolves each order's storage classes (message, item master, connector
        default) in the batch's transaction; without it orders keep what the message said."""
        self._engine = engine
        self._vault = vault
        self._storage = storage

    def commit(
        self, batch: Sequence[PreparedMessage], *, cursor: CursorUpdate | None = None
    ) -> list[Outcome]:
        """Store ``batch`` atomically and return one outcome per message, in order.

        ``cursor``, when given, is saved in the same transaction (only if the batch commits).

        Unique-key races with another process and transient storage errors are retried briefly
        with jittered backoff; after that every message gets a ``RETRY`` outcome (the sender
        resends). A batch failing for any other reason is split so one poisoned message cannot
        hold back the rest.
        """
        try:
            return _STORAGE_RETRY(self._commit_once, batch, cursor)
        except IntegrityError:
            log.warning("intake_race_exhausted", batch=len(batch))
            return [_retry("concurrent writers kept conflicting") for _ in batch]
        except OperationalError as exc:
            log.warning("intake_storage_unavailable", error_type=type(exc.orig).__name__)
            return [_retry("storage unavailable") for _ in batch]
        except DBAPIError as exc:
            if len(batch) > 1 and cursor is None:
                middle = len(batch) // 2
                return self.commit(batch[:middle]) + self.commit(batch[middle:])
            log.error("intake_storage_refused", error_type=type(exc.orig).__name__)
            return [_retry("storage refused the message")]

    def _commit_once(
        self, batch: Sequence[PreparedMessage], cursor: CursorUpdate | None
    ) -> list[Outcome]:
        with self._engine.begin() as connection:
            if self._storage is not None:
                batch = resolve_storage(connection, batch, self._storage)
            outcomes = _commit(connection, batch, self._vault)
            if cursor is not None:
                _save_cursor(connection, cursor)
            return outcomes


#: Retry races and transient failures (lock timeouts, a dropped connection) for well under a second.
_STORAGE_RETRY = Retrying(
    retry=retry_if_exception_type((IntegrityError, OperationalError)),
    stop=stop_after_attempt(STORAGE_ATTEMPTS),
    wait=wait_random_exponential(multiplier=0.01, max=0.2),
    reraise=True,
)


def _save_cursor(connection: Connection, cursor: CursorUpdate) -> None:
    values = {"value": cursor.value, "updated_at": utcnow()}
    where = (_CURSORS.c.connector == cursor.connector, _CURSORS.c.name == cursor.name)
    if connection.execute(update(_CURSORS).where(*where).values(**values)).rowcount == 0:
        connection.execute(
            insert(_CURSORS).values(connector=cursor.connector, name=cursor.name, **values)
        )


def _retry(reason: str) -> Outcome:
    return Outcome(kind=OutcomeKind.RETRY, retry_reason=reason)


def _commit(
    connection: Connection, batch: Sequence[PreparedMessage], vault: Vault
) -> list[Outcome]:
    now = utcnow()
    outcomes: dict[int, Outcome] = {}
    pending = list(enumerate(batch))
    # A key repeated inside the batch is handled in a later round, once its first copy exists.
    while pending:
        seen: set[tuple[str, str, str]] = set()
        this_round, pending_next = [], []
        for index, message in pending:
            key = dedupe_key(message)
            if key is not None and key in seen:
                pending_next.append((index, message))
                continue
            if key is not None:
                seen.add(key)
            this_round.append((index, message))
        for (index, _), outcome in zip(
            this_round,
            _commit_round(connection, [m for _, m in this_round], vault, now),
            strict=True,
        ):
            outcomes[index] = outcome
        pending = pending_next
    return [outcomes[i] for i in range(len(batch))]


def _commit_round(
    connection: Connection, batch: list[PreparedMessage], vault: Vault, now: dt.datetime
) -> list[Outcome]:
    originals = _existing_messages(connection, batch)
    orders = _existing_orders(connection, batch)
    plans = [plan_message(message, originals=originals, orders=orders) for message in batch]
    _write_messages(connection, plans, vault, now)
    for plan in plans:
        if plan.flag is not None:  # the sender's interface team must fix its id counter
            log.warning(
                "message_id_reused",
                connector=plan.message.connector,
                format=plan.message.format.value,
                message_id=plan.message_id,
            )
    _write_orders(connection, plans, orders, vault, now)
    return [outcome_of(plan) for plan in plans]


def _existing_messages(
    connection: Connection, batch: list[PreparedMessage]
) -> dict[tuple[str, str, str], list[Original]]:
    # One query per (connector, format): `connector = ? AND format = ? AND dedupe_key IN (...)` uses
    # the unique index, where a row-value IN over all three columns makes SQLite scan the table.
    wanted: dict[tuple[str, str], list[str]] = defaultdict(list)
    for key in {k for m in batch if (k := dedupe_key(m)) is not None}:
        wanted[key[:2]].append(key[2])
    found: dict[tuple[str, str, str], list[Original]] = defaultdict(list)
    for (connector, format_), control_ids in wanted.items():
        rows = connection.execute(
            select(
                _MESSAGES.c.id,
                _MESSAGES.c.dedupe_key,
                _MESSAGES.c.status,
                _MESSAGES.c.error_code,
                _MESSAGES.c.error_location,
                _MESSAGES.c.error_message,
                _MESSAGES.c.content_key,
                _MESSAGES.c.sha256,
            ).where(
                _MESSAGES.c.connector == connector,
                _MESSAGES.c.format == format_,
                _MESSAGES.c.dedupe_key.in_(control_ids),
            )
        )
        for row in rows:
            error = None
            if row.status == MessageStatus.REJECTED:
                error = InputError(
                    row.error_message or "rejected",
                    location=row.error_location,
                    code=row.error_code or ErrorCode.INVALID,
                )
            found[(connector, format_, row.dedupe_key)].append(
                Original(row.id, error, row.content_key, row.sha256)
            )
    return found


def _existing_orders(
    connection: Connection, batch: list[PreparedMessage]
) -> dict[tuple[str, str], OrderState]:
    wanted: dict[str, set[str]] = defaultdict(set)
    for message in batch:
        wanted[message.connector].update(intent.order_id for intent in message.intents)
    states: dict[tuple[str, str], OrderState] = {}
    for connector, order_ids in wanted.items():
        if not order_ids:
            continue
        rows = connection.execute(
            select(
                _ORDERS.c.id,
                _ORDERS.c.order_id,
                _ORDERS.c.status,
                _ORDERS.c.version,
                _ORDERS.c.content_sha256,
            )
            .where(_ORDERS.c.connector == connector, _ORDERS.c.order_id.in_(order_ids))
            .with_for_update()
        )
        for row in rows:
            states[(connector, row.order_id)] = OrderState(
                connector=connector,
                order_id=row.order_id,
                pk=row.id,
                status=row.status,
                version=row.version,
                digest=row.content_sha256,
                stored_status=row.status,
            )
    return states


def _write_messages(
    connection: Connection, plans: list[PlannedMessage], vault: Vault, now: dt.datetime
) -> None:
    fresh = [plan for plan in plans if plan.message.replay_of is None]
    if fresh:
        statement = insert(_MESSAGES).returning(
            _MESSAGES.c.id,
            sort_by_parameter_order=True,
        )
        ids = connection.scalars(
            statement, [_message_row(plan, vault, now) for plan in fresh]
        ).all()
        for plan, message_id in zip(fresh, ids, strict=True):
            plan.message_id = message_id
    for plan in plans:
        if plan.message.replay_of is None:
            continue
        plan.message_id = plan.message.replay_of
        error = plan.error
        connection.execute(
            update(_MESSAGES)
            .where(_MESSAGES.c.id == plan.message_id)
            .values(
                status=plan.status.value,
                processed_at=now,
                error_code=error.code if error else None,
                error_location=_storable(error.location) if error else None,
                error_message=_storable(error.message[:1000]) if error else None,
            )
        )
        connection.execute(delete(_LINKS).where(_LINKS.c.message_id == plan.message_id))


def _storable(text: str | None) -> str | None:
    """``text`` without NUL characters, which PostgreSQL text columns refuse (an error's location
    or message would otherwise fail the whole batch and be answered AR forever)."""
    return text.replace("\x00", "\ufffd") if text else text


def _message_row(plan: PlannedMessage, vault: Vault, now: dt.datetime) -> dict[str, Any]:
    message, error = plan.message, plan.error
    return {
        "connector": message.connector,
        "format": message.format.value,
        "control_id": message.control_id,
        "dedupe_key": plan.dedupe_key if plan.status is not MessageStatus.DUPLICATE else None,
        "content_key": message.resend_key,
        "flag": plan.flag.value if plan.flag else None,
        "message_type": message.message_type,
        "version": message.version,
        "received_at": message.received_at,
        "processed_at": now,
        "size_bytes": len(message.raw),
        "sha256": message.sha256,
        "raw_encrypted": vault.encrypt(message.raw),
        "status": plan.status.value,
        "error_code": error.code if error and plan.status is MessageStatus.REJECTED else None,
        "error_location": _storable(error.location)
        if error and plan.status is MessageStatus.REJECTED
        else None,
        "error_message": _storable(error.message[:1000])
        if error and plan.status is MessageStatus.REJECTED
        else None,
        "duplicate_of": plan.duplicate_of,
    }


def _write_orders(
    connection: Connection,
    plans: list[PlannedMessage],
    orders: dict[tuple[str, str], OrderState],
    vault: Vault,
    now: dt.datetime,
) -> None:
    dirty = [state for state in orders.values() if state.dirty]
    created = [state for state in dirty if state.new]
    if created:
        rows = []
        for state in created:
            assert state.content is not None
            rows.append(
                {
                    **order_columns(state.content, digest=state.digest, vault=vault),
                    "status": state.status.value,
                    "status_at": now,
                    "version": state.version,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        statement = insert(_ORDERS).returning(_ORDERS.c.id, sort_by_parameter_order=True)
        for state, pk in zip(created, connection.scalars(statement, rows).all(), strict=True):
            state.pk = pk
    items: list[dict[str, Any]] = []
    for state in dirty:
        assert state.pk is not None
        if state.new:
            assert state.content is not None
            items.extend(item_rows(state.content, order_pk=state.pk))
            continue
        values: dict[str, Any] = {
            "status": state.status.value,
            "version": state.version,
            "updated_at": now,
        }
        if state.status is not state.stored_status:
            values["status_at"] = now
        if state.content is not None:
            values.update(order_columns(state.content, digest=state.digest, vault=vault))
            connection.execute(delete(_ITEMS).where(_ITEMS.c.order_pk == state.pk))
            items.extend(item_rows(state.content, order_pk=state.pk))
        connection.execute(update(_ORDERS).where(_ORDERS.c.id == state.pk).values(**values))
    if items:
        connection.execute(insert(_ITEMS), items)
    links, events = [], []
    for plan in plans:
        for okey, action in plan.links.items():
            links.append(
                {"message_id": plan.message_id, "order_pk": orders[okey].pk, "action": action}
            )
        for event in plan.events:
            events.append(
                audit_row(
                    entity="order",
                    entity_id=orders[event.order_key].pk or 0,
                    action=event.action,
                    actor=f"connector:{plan.message.connector}",
                    from_status=event.from_status,
                    to_status=event.to_status,
                    detail={"message_id": plan.message_id, "version": event.version},
                    at=now,
                )
            )
    if links:
        connection.execute(insert(_LINKS), links)
    if events:
        connection.execute(insert(_AUDIT), events)
