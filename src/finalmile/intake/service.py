"""HL7 v2 intake for every transport: prepare, commit (grouped), acknowledge."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from finalmile.adapters.hl7v2 import ack as hl7_ack
from finalmile.adapters.hl7v2.header import MessageHeader, read_header
from finalmile.audit import AuditEvent, audit_row
from finalmile.db_types import utcnow
from finalmile.errors import InputError, NotFoundError
from finalmile.intake.outcome import Outcome, OutcomeKind
from finalmile.intake.prepare import PreparedMessage, prepare_hl7
from finalmile.intake.queue import IntakeQueue
from finalmile.intake.store import IntakeStore
from finalmile.mapping.hl7v2 import Hl7Profile
from finalmile.messages.models import InboundMessage, MessageStatus
from finalmile.vault import Vault


@dataclass(frozen=True)
class Hl7Reply:
    """The outcome for one message and the encoded acknowledgements to send (maybe none)."""

    outcome: Outcome
    acks: tuple[bytes, ...]


class IntakeService:
    """Receives HL7 v2 messages for the configured connectors."""

    def __init__(
        self,
        *,
        store: IntakeStore,
        sessions: sessionmaker[Session],
        vault: Vault,
        profiles: Mapping[str, Hl7Profile],
        max_batch: int = 256,
    ) -> None:
        self._store = store
        self._sessions = sessions
        self._vault = vault
        self._profiles = dict(profiles)
        self._max_batch = max_batch
        self._queue: IntakeQueue | None = None

    @property
    def connectors(self) -> list[str]:
        """Names of the connectors this service accepts messages for."""
        return sorted(self._profiles)

    def profile(self, connector: str) -> Hl7Profile:
        """The mapping profile of ``connector``; NotFoundError when it is not configured."""
        try:
            return self._profiles[connector]
        except KeyError:
            raise NotFoundError(f"no connector named {connector!r}") from None

    @property
    def running(self) -> bool:
        """Whether group commit is accepting messages."""
        return self._queue is not None

    async def start(self) -> None:
        """Start group commit for concurrent senders (MLLP, HTTP)."""
        self._queue = IntakeQueue(self._store, max_batch=self._max_batch)
        await self._queue.start()

    async def stop(self) -> None:
        """Finish queued commits and stop."""
        if self._queue is not None:
            await self._queue.stop()
            self._queue = None

    async def receive(self, raw: bytes, *, connector: str) -> Hl7Reply:
        """Store one message and its orders, then say how to acknowledge it."""
        prepared = prepare_hl7(
            raw, connector=connector, profile=self.profile(connector), received_at=utcnow()
        )
        if self._queue is None:
            raise RuntimeError("IntakeService.start() was not called")
        outcome = await self._queue.submit(prepared)
        return Hl7Reply(outcome=outcome, acks=tuple(acknowledge(prepared.header, outcome)))

    def ingest(self, raws: Iterable[bytes], *, connector: str) -> list[Outcome]:
        """Store messages synchronously (CLI and demo), committing in batches."""
        profile = self.profile(connector)
        outcomes: list[Outcome] = []
        batch: list[PreparedMessage] = []
        for raw in raws:
            batch.append(
                prepare_hl7(raw, connector=connector, profile=profile, received_at=utcnow())
            )
            if len(batch) >= self._max_batch:
                outcomes += self._store.commit(batch)
                batch = []
        if batch:
            outcomes += self._store.commit(batch)
        return outcomes

    def replay(self, message_id: int, *, actor: str = "cli") -> Outcome:
        """Process a stored message again (after a profile or code fix); duplicates are refused."""
        with self._sessions() as session:
            row = session.get(InboundMessage, message_id)
            if row is None:
                raise NotFoundError(f"no message with id {message_id}")
            if row.status == MessageStatus.DUPLICATE:
                raise InputError(
                    f"message {message_id} is a resend of message {row.duplicate_of}; "
                    "replay that one",
                    code="duplicate",
                )
            raw = self._vault.decrypt(row.raw_encrypted)
            previous, connector, received_at = row.status, row.connector, row.received_at
        prepared = prepare_hl7(
            raw,
            connector=connector,
            profile=self.profile(connector),
            received_at=received_at,
            replay_of=message_id,
        )
        [outcome] = self._store.commit([prepared])
        if outcome.kind is not OutcomeKind.RETRY:
            with self._sessions() as session, session.begin():
                session.add(
                    AuditEvent(
                        **audit_row(
                            entity="message",
                            entity_id=message_id,
                            action="replayed",
                            actor=actor,
                            from_status=str(previous),
                            to_status=outcome.kind.value,
                        )
                    )
                )
        return outcome


def acknowledge(header: MessageHeader | None, outcome: Outcome) -> list[bytes]:
    """Encoded acknowledgements for ``outcome`` (original or enhanced mode, per the header)."""
    verdict = {
        OutcomeKind.RETRY: hl7_ack.Outcome.RETRY,
        OutcomeKind.REJECTED: hl7_ack.Outcome.REJECTED,
    }.get(
        outcome.kind,
        hl7_ack.Outcome.ACCEPTED if outcome.durable_success else hl7_ack.Outcome.REJECTED,
    )
    return _acks(header, verdict, error=outcome.error, text=outcome.retry_reason)


def refuse_oversize(head: bytes, limit: int) -> list[bytes]:
    """Acknowledgements for a frame refused for its size (addressed from its first bytes)."""
    error = InputError(
        f"message exceeds the {limit} byte limit of this listener", location="MSH", code="too_large"
    )
    return _acks(read_header(head), hl7_ack.Outcome.REJECTED, error=error, text=None)


def _acks(
    header: MessageHeader | None,
    verdict: hl7_ack.Outcome,
    *,
    error: InputError | None,
    text: str | None,
) -> list[bytes]:
    now = utcnow()
    codes = hl7_ack.acknowledgements(header, verdict, error=error)
    return [
        hl7_ack.encode_ack(
            hl7_ack.build_ack(
                header,
                code=code,
                control_id=_ack_control_id(),
                now=now,
                error=error if code in (hl7_ack.AckCode.AE, hl7_ack.AckCode.CR) else None,
                text=text if code in (hl7_ack.AckCode.AR, hl7_ack.AckCode.CE) else None,
            ),
            header,
        )
        for code in codes
    ]


def _ack_control_id() -> str:
    return "FM" + secrets.token_hex(8).upper()
