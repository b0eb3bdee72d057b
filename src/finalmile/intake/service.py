"""Intake for every format and transport: prepare, commit (grouped or in batches), answer.

HL7 v2 and FHIR messages from concurrent senders (MLLP, HTTP) go through group commit; files
(CLI, CSV upload, drop folder) are committed in batches as they stream. Replay processes a stored
message again under its connector's current profile, whatever its format.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from sqlalchemy.orm import Session, sessionmaker

from finalmile.adapters.hl7v2 import DEFAULT_LIMITS, Hl7Limits
from finalmile.audit import AuditEvent, audit_row
from finalmile.db_types import utcnow
from finalmile.errors import ConflictError, NotFoundError
from finalmile.intake.acks import acknowledge
from finalmile.intake.codes import IntakeCode
from finalmile.intake.outcome import Outcome, OutcomeKind
from finalmile.intake.prepare import PreparedMessage, prepare_hl7
from finalmile.intake.prepare_csv import CsvMessage, prepare_csv, prepare_csv_replay
from finalmile.intake.prepare_fhir import load_fhir_mapping, prepare_fhir
from finalmile.intake.queue import IntakeQueue
from finalmile.intake.store import IntakeStore
from finalmile.messages import InboundMessage, MessageFormat, MessageStatus
from finalmile.profiles import ConnectorRegistry
from finalmile.vault import Vault

if TYPE_CHECKING:
    from finalmile.mapping import Resolver


@dataclass(frozen=True)
class Hl7Reply:
    """The outcome for one message and the encoded acknowledgements to send (maybe none)."""

    outcome: Outcome
    acks: tuple[bytes, ...]


@dataclass(frozen=True)
class FhirReply:
    """The outcome for one FHIR payload and the order intents it carried (for the response)."""

    outcome: Outcome
    prepared: PreparedMessage


class IntakeService:
    """Receives messages and files for the configured connectors."""

    def __init__(
        self,
        *,
        store: IntakeStore,
        sessions: sessionmaker[Session],
        vault: Vault,
        connectors: ConnectorRegistry,
        resolvers: Mapping[str, Resolver] | None = None,
        max_batch: int = 256,
        hl7_limits: Hl7Limits = DEFAULT_LIMITS,
    ) -> None:
        """Args:
        resolvers: per connector, fetches FHIR references a payload does not contain.
        hl7_limits: segments, repetitions and escape expansion one HL7 message may hold.
        """
        self._store = store
        self._sessions = sessions
        self._vault = vault
        self.connectors = connectors
        self._resolvers = dict(resolvers or {})
        self._max_batch = max_batch
        self._hl7_limits = hl7_limits
        self._queue: IntakeQueue | None = None

    @property
    def running(self) -> bool:
        """Whether group commit is accepting messages."""
        return self._queue is not None

    async def start(self) -> None:
        """Start group commit for concurrent senders (MLLP, HTTP); load the FHIR models up front
        (off the event loop) when a connector accepts FHIR, so its first payload does not."""
        if self.connectors.with_format("fhir"):
            await asyncio.to_thread(load_fhir_mapping)
        self._queue = IntakeQueue(self._store, max_batch=self._max_batch)
        await self._queue.start()

    async def stop(self) -> None:
        """Finish queued commits and stop."""
        if self._queue is not None:
            await self._queue.stop()
            self._queue = None

    async def receive_hl7(self, raw: bytes, *, connector: str) -> Hl7Reply:
        """Store one HL7 v2 message and its orders, then say how to acknowledge it."""
        prepared = prepare_hl7(
            raw,
            connector=connector,
            profile=self.connectors.hl7(connector),
            received_at=utcnow(),
            limits=self._hl7_limits,
        )
        outcome = await self._submit(prepared)
        return Hl7Reply(outcome=outcome, acks=tuple(acknowledge(prepared.header, outcome)))

    async def receive_fhir(self, raw: bytes, *, connector: str) -> FhirReply:
        """Store one FHIR payload (a Bundle or a MedicationDispense) and its orders."""
        profile, resolve = self.connectors.fhir(connector), self._resolvers.get(connector)
        if resolve is None:
            prepared = prepare_fhir(raw, connector=connector, profile=profile, received_at=utcnow())
        else:  # resolving references is network I/O: keep it off the event loop
            prepared = await asyncio.to_thread(
                prepare_fhir,
                raw,
                connector=connector,
                profile=profile,
                received_at=utcnow(),
                resolve=resolve,
            )
        return FhirReply(outcome=await self._submit(prepared), prepared=prepared)

    async def _submit(self, prepared: PreparedMessage) -> Outcome:
        if self._queue is None:
            raise RuntimeError("IntakeService.start() was not called")
        return await self._queue.submit(prepared)

    def ingest_hl7(self, raws: Iterable[bytes], *, connector: str) -> list[Outcome]:
        """Store HL7 v2 messages synchronously (CLI and demo), committing in batches."""
        profile = self.connectors.hl7(connector)
        prepared = (
            prepare_hl7(
                raw,
                connector=connector,
                profile=profile,
                received_at=utcnow(),
                limits=self._hl7_limits,
            )
            for raw in raws
        )
        return self.commit_all(prepared)

    def ingest_fhir(self, raws: Iterable[bytes], *, connector: str) -> list[Outcome]:
        """Store FHIR payloads synchronously (CLI, poller), committing in batches."""
        profile, resolve = self.connectors.fhir(connector), self._resolvers.get(connector)
        prepared = (
            prepare_fhir(
                raw, connector=connector, profile=profile, received_at=utcnow(), resolve=resolve
            )
            for raw in raws
        )
        return self.commit_all(prepared)

    def commit_all(self, messages: Iterable[PreparedMessage]) -> list[Outcome]:
        """Commit prepared messages in batches of at most ``max_batch``; outcomes in order."""
        outcomes: list[Outcome] = []
        batch: list[PreparedMessage] = []
        for message in messages:
            batch.append(message)
            if len(batch) >= self._max_batch:
                outcomes += self._store.commit(batch)
                batch = []
        if batch:
            outcomes += self._store.commit(batch)
        return outcomes

    def ingest_csv(
        self, stream: BinaryIO, *, connector: str, source: str
    ) -> Iterator[tuple[CsvMessage, Outcome]]:
        """Stream a seekable CSV file into orders, committing in batches as it goes; ``source``
        labels the file in control ids (the ledger's ``file-<id>``, not its name).

        Yields each message (one per order, or per rejected order) with its outcome, in file
        order. Memory stays flat: only one batch is held at a time.

        Raises:
            InputError: the file cannot be read at all (empty, bad header, broken quoting); the
                messages before a broken quote are committed and yielded first.
        """
        profile = self.connectors.csv(connector)
        batch: list[CsvMessage] = []
        messages = prepare_csv(
            stream,
            connector=connector,
            profile=profile,
            received_at=utcnow(),
            source=source,
        )
        try:
            for message in messages:
                batch.append(message)
                if len(batch) >= self._max_batch:
                    yield from self._commit_csv(batch)
                    batch = []
        finally:
            if batch:  # also when the file breaks off: what was read is kept
                yield from self._commit_csv(batch)

    def _commit_csv(self, batch: list[CsvMessage]) -> Iterator[tuple[CsvMessage, Outcome]]:
        outcomes = self._store.commit([message.prepared for message in batch])
        yield from zip(batch, outcomes, strict=True)

    def replay(self, message_id: int, *, actor: str = "cli") -> Outcome:
        """Process a stored message again (after a profile or code fix).

        Raises:
            NotFoundError: no such message.
            ConflictError: the message is a resend (``duplicate``): replay the original instead.
        """
        with self._sessions() as session:
            row = session.get(InboundMessage, message_id)
            if row is None:
                raise NotFoundError(f"no message with id {message_id}")
            if row.status == MessageStatus.DUPLICATE:
                raise ConflictError(
                    f"message {message_id} is a resend of message {row.duplicate_of}; "
                    "replay that one",
                    code=IntakeCode.DUPLICATE,
                )
            raw = self._vault.decrypt(row.raw_encrypted)
            previous, connector, received_at = row.status, row.connector, row.received_at
            format_ = row.format
        [outcome] = self._store.commit(
            [self._prepare_again(raw, format_, connector, received_at, message_id)]
        )
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

    def _prepare_again(
        self,
        raw: bytes,
        format_: MessageFormat,
        connector: str,
        received_at: dt.datetime,
        message_id: int,
    ) -> PreparedMessage:
        if format_ is MessageFormat.FHIR_R4:
            return prepare_fhir(
                raw,
                connector=connector,
                profile=self.connectors.fhir(connector),
                received_at=received_at,
                resolve=self._resolvers.get(connector),
                replay_of=message_id,
            )
        if format_ is MessageFormat.CSV:
            return prepare_csv_replay(
                raw,
                connector=connector,
                profile=self.connectors.csv(connector),
                received_at=received_at,
                replay_of=message_id,
            )
        return prepare_hl7(
            raw,
            connector=connector,
            profile=self.connectors.hl7(connector),
            received_at=received_at,
            replay_of=message_id,
            limits=self._hl7_limits,
        )
