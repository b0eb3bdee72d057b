"""Upload, evaluate and read an order's temperature logs.

An upload is read by its layout's adapter, judged against the order's storage class (the
strictest of its items) over the trip window known at that moment, and stored in one transaction
with its verdict and an audit event; when the order's record then passes, the
``on_evidence_settled`` hook (bound to billing by the composition root) is called in the same
transaction. The same file uploaded again for the same order changes nothing. ``evaluate_order``
judges the stored logs again (after delivery times became known, or the limits changed) and adds
new verdict rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from finalmile.audit import AuditEvent, audit_row
from finalmile.config import ClassLimits
from finalmile.db import transaction
from finalmile.db_types import utcnow
from finalmile.errors import ConflictError, NotFoundError
from finalmile.evidence.codes import EvidenceCode
from finalmile.evidence.temperature.evaluate import Evaluation, Verdict, evaluate
from finalmile.evidence.temperature.layouts.base import ReadOptions
from finalmile.evidence.temperature.layouts.registry import LayoutRegistry, load_layouts
from finalmile.evidence.temperature.models import TemperatureEvaluationRow, TemperatureLogRow
from finalmile.evidence.temperature.packing import pack, unpack
from finalmile.evidence.temperature.readings import Reading, TemperatureLog
from finalmile.evidence.temperature.store import (
    combine,
    latest_evaluations,
    logs_of,
    temperature_verdict,
)
from finalmile.evidence.trip import trip_window
from finalmile.orders import Order, find_order
from finalmile.tracking import EvidenceSettled
from finalmile.vault import Vault

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Upload:
    """One export to store: its bytes, layout and what the uploader says about it."""

    content: bytes
    layout: str
    options: ReadOptions
    package: str | None = None


@dataclass(frozen=True)
class StoredLog:
    """A stored log with the evaluation in force; ``created`` is False for a repeated upload."""

    row: TemperatureLogRow
    evaluation: TemperatureEvaluationRow
    created: bool = True


@dataclass(frozen=True)
class OrderTemperature:
    """An order's logs with their verdicts, and the order's verdict (None without a log)."""

    order: Order
    verdict: Verdict | None
    logs: list[StoredLog]


class TemperatureService:
    """Temperature logs of orders, judged by the configured limits.

    ``on_evidence_settled`` is called in the transaction that stored a passing verdict.
    """

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        vault: Vault,
        limits: Mapping[str, ClassLimits],
        gap_factor: float,
        zone: ZoneInfo,
        layouts: LayoutRegistry,
        on_evidence_settled: EvidenceSettled,
    ) -> None:
        self.sessions = sessions
        self.vault = vault
        self.on_evidence_settled = on_evidence_settled
        self.limits = limits
        self.gap_factor = gap_factor
        self.zone = zone
        self.layouts = layouts

    def import_log(
        self, *, order_id: str, connector: str | None, upload: Upload, actor: str
    ) -> StoredLog:
        """Read, judge and store ``upload`` for the order.

        Raises:
            NotFoundError: no such order.
            InputError: unknown layout, or the export is invalid (TemperatureFileError lists
                every bad line and column); nothing is stored then.
        """
        adapter = self.layouts.get(upload.layout)
        parsed = adapter.read(upload.content, upload.options)
        digest = hashlib.sha256(upload.content).hexdigest()
        try:
            with transaction(self.sessions) as session:
                order = find_order(session=session, order_id=order_id, connector=connector)
                assert order.id is not None
                existing = _stored(session, order.id, digest)
                if existing is not None:
                    return existing
                row = TemperatureLogRow(
                    order_pk=order.id,
                    package=upload.package,
                    layout=parsed.layout,
                    logger_id=parsed.logger_id,
                    interval_seconds=parsed.interval.total_seconds(),
                    first_at=parsed.first_at,
                    last_at=parsed.last_at,
                    reading_count=len(parsed.readings),
                    readings=pack(parsed.readings),
                    raw_sha256=digest,
                    raw_encrypted=self.vault.encrypt(upload.content),
                    uploaded_at=utcnow(),
                    uploaded_by=actor,
                )
                session.add(row)
                session.flush()
                evaluation = self._judge(
                    session, order, row, parsed, actor, action="temperature_log"
                )
                self._settle_if_passed(session, order.id)
        except IntegrityError:
            # A concurrent upload of the same file for the same order won the unique key.
            with self.sessions() as session:
                order = find_order(session=session, order_id=order_id, connector=connector)
                assert order.id is not None
                existing = _stored(session, order.id, digest)
            if existing is None:
                raise
            return existing
        log.info(
            "temperature_log_stored", order_id=order_id, log_id=row.id, verdict=evaluation.verdict
        )
        return StoredLog(row, evaluation)

    def evaluate_order(
        self, *, order_id: str, connector: str | None, actor: str
    ) -> OrderTemperature:
        """Judge every stored log of the order again, with today's limits and trip window."""
        with transaction(self.sessions) as session:
            order = find_order(session=session, order_id=order_id, connector=connector)
            assert order.id is not None
            for row in logs_of(session, order.id):
                self._judge(
                    session, order, row, self.log_of(row), actor, action="temperature_reevaluated"
                )
            self._settle_if_passed(session, order.id)
        return self.for_order(order_id=order_id, connector=connector)

    def _settle_if_passed(self, session: Session, order_pk: int) -> None:
        """A passing record may be what billing waited for (connectors that require one): call
        the hook in this transaction, so the confirmation commits with the verdict."""
        if temperature_verdict(session, order_pk) is Verdict.PASS:
            self.on_evidence_settled(session, order_pk)

    def for_order(self, *, order_id: str, connector: str | None) -> OrderTemperature:
        """The order's logs with the verdict in force for each, oldest first."""
        with self.sessions() as session:
            order = find_order(session=session, order_id=order_id, connector=connector)
            assert order.id is not None
            rows = logs_of(session, order.id)
            current = latest_evaluations(session, order.id)
        logs = [StoredLog(row, current[row.id]) for row in rows if row.id in current]
        return OrderTemperature(order, combine([s.evaluation.verdict for s in logs]), logs)

    def log_of(self, row: TemperatureLogRow) -> TemperatureLog:
        """The canonical log stored in ``row``."""
        return TemperatureLog(
            layout=row.layout,
            logger_id=row.logger_id,
            interval=dt.timedelta(seconds=row.interval_seconds),
            readings=self.readings(row),
        )

    @staticmethod
    def readings(row: TemperatureLogRow) -> tuple[Reading, ...]:
        """The stored readings of ``row`` (UTC)."""
        return unpack(row.readings)

    def raw(self, *, order_id: str, connector: str | None, log_id: int) -> bytes:
        """The export of one of the order's logs, exactly as uploaded.

        Raises:
            NotFoundError: no such order, or no such log for it.
        """
        with self.sessions() as session:
            order = find_order(session=session, order_id=order_id, connector=connector)
            row = session.get(TemperatureLogRow, log_id)
        if row is None or row.order_pk != order.id:
            raise NotFoundError(f"order {order_id!r} has no temperature log {log_id}")
        return self.vault.decrypt(row.raw_encrypted)

    def _judge(
        self,
        session: Session,
        order: Order,
        row: TemperatureLogRow,
        parsed: TemperatureLog,
        actor: str,
        *,
        action: str,
    ) -> TemperatureEvaluationRow:
        assert order.id is not None and row.id is not None
        storage = order.storage
        if storage is None:  # held by the rules: it never left, so there is nothing to judge
            raise ConflictError(
                f"order {order.order_id!r} has no known storage class to judge its temperatures "
                "against: add its products to the item master or send storage in the message",
                code=EvidenceCode.STORAGE_UNKNOWN,
            )
        limits = self.limits[storage]
        result: Evaluation = evaluate(
            parsed,
            storage=storage,
            limits=limits,
            window=trip_window(session, order.id),
            gap_factor=self.gap_factor,
            zone=self.zone,
        )
        evaluation = TemperatureEvaluationRow(
            log_id=row.id,
            order_pk=order.id,
            storage=storage,
            verdict=result.verdict,
            reasons=list(result.reasons),
            summary=result.summary(),
            limits={**limits.model_dump(), "gap_factor": self.gap_factor},
            evaluated_at=utcnow(),
        )
        session.add(evaluation)
        session.add(
            AuditEvent(
                **audit_row(
                    entity="order",
                    entity_id=order.id,
                    action=action,
                    actor=actor,
                    detail={"log_id": row.id, "verdict": result.verdict.value},
                )
            )
        )
        session.flush()
        return evaluation


def _stored(session: Session, order_pk: int, digest: str) -> StoredLog | None:
    """The order's log of the file with SHA-256 ``digest``, if it was uploaded before."""
    row = session.scalars(
        select(TemperatureLogRow).where(
            col(TemperatureLogRow.order_pk) == order_pk,
            col(TemperatureLogRow.raw_sha256) == digest,
        )
    ).first()
    if row is None or row.id is None:
        return None
    return StoredLog(row, latest_evaluations(session, order_pk)[row.id], created=False)


@cache
def installed_layouts() -> LayoutRegistry:
    """The layouts of this installation (built in and plug-ins), loaded once per process."""
    return load_layouts()
