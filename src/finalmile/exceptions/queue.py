"""The exceptions queue: kept up to date (``refresh``, also the scheduled job) and listed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from finalmile.db import transaction
from finalmile.db_types import utcnow
from finalmile.exceptions.conditions import Thresholds
from finalmile.exceptions.models import ExceptionKind, OrderException
from finalmile.exceptions.sync import sync
from finalmile.orders import Order
from finalmile.vault import Vault

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class QueueFilter:
    """Which rows to list: kinds (any of), the order's site, open or resolved, one order id."""

    kinds: Collection[ExceptionKind] = ()
    site: str | None = None
    resolved: bool = False
    order_id: str | None = None


class ExceptionQueue:
    """Finds what needs a person and lists it; ``sites`` maps each connector to its site."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        vault: Vault,
        thresholds: Thresholds,
        sites: Mapping[str, str],
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.vault = vault
        self.thresholds = thresholds
        self.sites = dict(sites)
        self.clock = clock

    def refresh(self) -> tuple[int, int]:
        """Open rows for new problems and resolve the cleared ones; (opened, resolved)."""
        with transaction(self.sessions) as session:
            opened, resolved = sync(
                session, now=self.clock(), thresholds=self.thresholds, vault=self.vault
            )
        if opened or resolved:
            log.info("exceptions_synced", opened=opened, resolved=resolved)
        return opened, resolved

    def run(self) -> None:
        """The scheduled job: ``refresh``, logging (not raising) storage trouble."""
        try:
            self.refresh()
        except Exception as exc:  # the next run tries again
            log.exception("exceptions_sync_failed", error_type=type(exc).__name__)

    def page(
        self, session: Session, which: QueueFilter, *, limit: int, before: int | None = None
    ) -> list[tuple[OrderException, Order]]:
        """Rows matching ``which``, newest first; ``before`` continues below a row id."""
        statement = (
            select(OrderException, Order)
            .join(Order, col(Order.id) == col(OrderException.order_pk))
            .order_by(col(OrderException.id).desc())
            .limit(limit)
        )
        resolved_at = col(OrderException.resolved_at)
        statement = statement.where(
            resolved_at.is_not(None) if which.resolved else resolved_at.is_(None)
        )
        if which.kinds:
            statement = statement.where(
                col(OrderException.kind).in_([k.value for k in which.kinds])
            )
        if which.site is not None:
            connectors = sorted(name for name, site in self.sites.items() if site == which.site)
            statement = statement.where(col(Order.connector).in_(connectors))
        if which.order_id is not None:
            statement = statement.where(col(Order.order_id) == which.order_id)
        if before is not None:
            statement = statement.where(col(OrderException.id) < before)
        return [(row, order) for row, order in session.execute(statement)]

    def site_of(self, connector: str) -> str | None:
        """The site serving ``connector``, if any."""
        return self.sites.get(connector)
