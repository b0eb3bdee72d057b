"""CSV files, whoever brings them (upload, command line, drop folder): ingested once per content.

The ledger (``ingested_file``) records each file's sha256 per connector. A file whose content was
already processed is not read again (the answer names the earlier file); a file left
``processing`` by a crash, or ``failed``, is read again, and its already committed orders come
back as duplicates of their first messages, so nothing is doubled or lost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from finalmile.db_types import utcnow
from finalmile.errors import InputError
from finalmile.intake.models import FileStatus, IngestedFile
from finalmile.intake.outcome import Outcome, OutcomeKind
from finalmile.intake.prepare_csv import CsvMessage, file_sha256
from finalmile.intake.service import IntakeService
from finalmile.vault import Vault

MAX_NAME = 255

OnResult = Callable[[CsvMessage, Outcome], None]


@dataclass
class FileSummary:
    """What became of one file: counts by outcome, and why it stopped if it did."""

    file_id: int
    name: str
    sha256: str
    status: FileStatus
    already_processed: bool = False
    accepted: int = 0
    duplicate: int = 0
    rejected_rows: int = 0
    retry: int = 0
    error: InputError | None = None

    @property
    def clean(self) -> bool:
        """True when every row went through (or the file was already processed cleanly)."""
        return self.error is None and self.rejected_rows == 0 and self.retry == 0


class FileIntake:
    """Ingests CSV files through ``IntakeService`` and keeps the file ledger (names encrypted
    with ``vault``)."""

    def __init__(
        self, intake: IntakeService, sessions: sessionmaker[Session], vault: Vault
    ) -> None:
        self._intake = intake
        self._sessions = sessions
        self._vault = vault

    def ingest_csv(
        self,
        stream: BinaryIO,
        *,
        connector: str,
        name: str,
        on_result: OnResult | None = None,
    ) -> FileSummary:
        """Ingest one seekable CSV stream unless its content was processed before.

        ``on_result`` sees every message (an order, or an order's rejected rows) with its
        outcome as it commits, so callers can report without holding the whole file.
        """
        self._intake.connectors.csv(connector)  # refuse an unknown connector before any write
        sha256 = file_sha256(stream)
        size = stream.seek(0, 2)
        stream.seek(0)
        summary = self._claim(connector, sha256, name[-MAX_NAME:], size)
        if summary.already_processed:
            return summary
        try:
            for message, outcome in self._intake.ingest_csv(
                stream, connector=connector, source=f"file-{summary.file_id}"
            ):
                _count(summary, message, outcome)
                if on_result is not None:
                    on_result(message, outcome)
        except InputError as exc:
            summary.error = exc
        self._finish(summary)
        return summary

    def _claim(self, connector: str, sha256: str, name: str, size: int) -> FileSummary:
        """Record the file as processing, or say it was processed before (and as which file)."""
        with self._sessions() as session, session.begin():
            row = session.scalars(
                select(IngestedFile)
                .where(col(IngestedFile.connector) == connector, col(IngestedFile.sha256) == sha256)
                .with_for_update()
            ).first()
            if row is not None and row.status is FileStatus.PROCESSED:
                assert row.id is not None
                earlier = self._vault.decrypt(row.name_encrypted).decode(errors="surrogateescape")
                return FileSummary(row.id, earlier, sha256, row.status, already_processed=True)
            encrypted = self._vault.encrypt(name.encode(errors="surrogateescape"))
            if row is None:
                row = IngestedFile(
                    connector=connector,
                    sha256=sha256,
                    name_encrypted=encrypted,
                    size_bytes=size,
                    received_at=utcnow(),
                    status=FileStatus.PROCESSING,
                )
                session.add(row)
            else:
                row.status, row.name_encrypted, row.error = FileStatus.PROCESSING, encrypted, None
            session.flush()
            assert row.id is not None
            return FileSummary(row.id, name, sha256, FileStatus.PROCESSING)

    def _finish(self, summary: FileSummary) -> None:
        failed = summary.error is not None or summary.retry > 0
        summary.status = FileStatus.FAILED if failed else FileStatus.PROCESSED
        with self._sessions() as session, session.begin():
            row = session.get(IngestedFile, summary.file_id)
            assert row is not None
            row.status = summary.status
            row.finished_at = utcnow()
            row.accepted = summary.accepted
            row.rejected = summary.rejected_rows
            row.messages = summary.accepted + summary.duplicate + summary.rejected_rows
            if summary.error is not None:
                where = f" at {summary.error.location}" if summary.error.location else ""
                row.error = f"{summary.error.message}{where}"[:1000]
            elif summary.retry:
                row.error = f"{summary.retry} orders could not be stored now; send the file again"


def _count(summary: FileSummary, message: CsvMessage, outcome: Outcome) -> None:
    if outcome.kind is OutcomeKind.RETRY:
        summary.retry += 1
    elif outcome.kind is OutcomeKind.REJECTED or (
        outcome.kind is OutcomeKind.DUPLICATE and outcome.error is not None
    ):
        summary.rejected_rows += max(1, len(message.rejections))
    elif outcome.kind is OutcomeKind.DUPLICATE:
        summary.duplicate += 1
    else:
        summary.accepted += 1
