"""One poll of one connector's FHIR server: new MedicationDispense versions become messages.

A poll searches ``MedicationDispense?_lastUpdated=gt<mark>&_sort=_lastUpdated&_count=<n>`` (the
first poll uses ``start_at``, or no filter), follows ``next`` links, and for every dispense version
not stored yet fetches what it references (Patient, Medication, Location) and the Tasks focused
on it. Each dispense is stored as one ``collection`` Bundle holding all of that (``fullUrl`` = the
resource's absolute URL), so replaying it later needs no network; its dedupe key is the
dispense's ``MedicationDispense/<id>/_history/<versionId>``.

Each page is committed in one transaction together with the mark it reaches (``CursorUpdate``):
a crash loses nothing and repeats at most one page. ``watermark.py`` decides how far each page
moves the mark (equal timestamps at a page boundary, dispenses updated while paging). Versions
read again (a repeated page, a span read twice) are skipped before anything is fetched or stored:
the dispense version key is the safety net under the mark.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import structlog
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from finalmile.connectors.fhir.client import FhirClient, FhirRefusedError
from finalmile.connectors.fhir.lease import lease
from finalmile.connectors.fhir.watermark import Watermark
from finalmile.db_types import utcnow
from finalmile.errors import PermanentError, RetriableError
from finalmile.intake import (
    ConnectorCursor,
    CursorUpdate,
    IntakeStore,
    OutcomeKind,
    PreparedMessage,
    prepare_fhir,
)
from finalmile.mapping import FhirProfile
from finalmile.messages import InboundMessage, MessageFormat
from finalmile.profiles import FhirServer

log = structlog.get_logger(__name__)

#: The ``connector_cursor.name`` of the poll's high-water mark.
CURSOR_NAME = "fhir:MedicationDispense._lastUpdated"
#: MedicationDispense elements whose (non-contained) references are fetched and stored.
REFERENCES = ("subject", "medicationReference", "destination")
#: Dispense ids per ``Task?focus=`` search, keeping its URL well under common 8 KB limits.
TASK_SEARCH_IDS = 50

_MESSAGES = InboundMessage.__table__  # type: ignore[attr-defined]


@dataclass
class PollReport:
    """What one poll did; ``error`` says why it stopped early (the mark then stays put)."""

    connector: str
    mark_before: str | None
    mark_after: str | None
    pages: int = 0
    dispenses: int = 0
    already_stored: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0
    error: str | None = None
    retriable: bool = False

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return asdict(self)


class FhirPoller:
    """Polls one connector's FHIR server; ``poll`` is safe to call from one thread at a time."""

    def __init__(
        self,
        *,
        connector: str,
        server: FhirServer,
        profile: FhirProfile,
        client: FhirClient,
        store: IntakeStore,
        engine: Engine,
        sessions: sessionmaker[Session],
    ) -> None:
        self.connector = connector
        self.server = server
        self._profile = profile
        self._client = client
        self._store = store
        self._engine = engine
        self._sessions = sessions

    def poll(self) -> PollReport:
        """Read every dispense version updated since the mark, page by page.

        Never raises for the server's or the storage's sake: an unreachable or refusing server,
        or unavailable storage, ends the poll with ``report.error`` and the mark where the last
        committed page left it. When another process is polling this connector, the poll is
        skipped (``report.error`` says so, retriable).
        """
        with lease(self._engine, f"fhir-poll:{self.connector}") as held:
            if not held:
                log.info("fhir_poll_skipped", connector=self.connector, reason="leased elsewhere")
                return PollReport(
                    self.connector,
                    mark_before=None,
                    mark_after=None,
                    error="another process is polling this connector",
                    retriable=True,
                )
            return self._poll()

    def _poll(self) -> PollReport:
        start = self._mark()
        report = PollReport(self.connector, mark_before=start, mark_after=start)
        try:
            self._pages(start, report)
        except RetriableError as exc:
            report.error, report.retriable = str(exc), True
            log.warning("fhir_poll_interrupted", connector=self.connector, reason=str(exc))
        except PermanentError as exc:
            report.error = str(exc)
            log.error(
                "fhir_poll_refused",
                connector=self.connector,
                reason=str(exc),
                hint="check the connector's fhir.server base_url and auth",
            )
        else:
            log.info("fhir_poll_finished", **report.as_dict())
        return report

    def _pages(self, start: str | None, report: PollReport) -> None:
        params = {"_sort": "_lastUpdated", "_count": str(self.server.page_size)}
        if start is not None:
            params["_lastUpdated"] = f"gt{start}"
        watermark = Watermark(start)
        references: dict[str, dict[str, Any] | None] = {}  # one read per reference per poll
        for page in self._client.search("MedicationDispense", params):
            report.pages += 1
            dispenses = [r for r in page.resources if r.get("resourceType") == "MedicationDispense"]
            report.dispenses += len(dispenses)
            mark = watermark.after_page(dispenses, last=page.next_url is None)
            fresh = self._not_stored(dispenses)
            report.already_stored += len(dispenses) - len(fresh)
            self._commit(self._prepare(fresh, references), mark or "", report)

    def _prepare(
        self, dispenses: Sequence[dict[str, Any]], references: dict[str, dict[str, Any] | None]
    ) -> list[PreparedMessage]:
        tasks = self._tasks(dispenses)
        batch = []
        for dispense in dispenses:
            entries = [dispense]
            for element in REFERENCES:
                reference = (dispense.get(element) or {}).get("reference")
                if not isinstance(reference, str) or reference.startswith("#"):
                    continue
                if reference not in references:
                    references[reference] = self._client.resolve(reference)
                found = references[reference]
                if found is not None and found not in entries:
                    entries.append(found)
            entries += tasks.get(str(dispense.get("id")), [])
            batch.append(
                prepare_fhir(
                    self._bundle(entries),
                    connector=self.connector,
                    profile=self._profile,
                    received_at=utcnow(),
                )
            )
        return batch

    def _tasks(self, dispenses: Sequence[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
        """The Tasks focused on each dispense (by dispense id): a search per ``TASK_SEARCH_IDS``."""
        ids = [str(d["id"]) for d in dispenses if d.get("id")]
        focus = {f"MedicationDispense/{i}": i for i in ids}
        focus |= {f"{self._client.base_url}/MedicationDispense/{i}": i for i in ids}
        found: dict[str, list[dict[str, Any]]] = {}
        for first in range(0, len(ids), TASK_SEARCH_IDS):
            chunk = ids[first : first + TASK_SEARCH_IDS]
            params = {"focus": ",".join(f"MedicationDispense/{i}" for i in chunk)}
            try:
                for page in self._client.search("Task", params):
                    for task in page.resources:
                        # A server ignoring the focus parameter answers every Task: filter.
                        target = focus.get(str((task.get("focus") or {}).get("reference")))
                        if task.get("resourceType") == "Task" and target is not None:
                            found.setdefault(target, []).append(task)
            except FhirRefusedError as exc:
                log.warning("fhir_task_search_refused", connector=self.connector, reason=str(exc))
        return found

    def _bundle(self, resources: Iterable[dict[str, Any]]) -> bytes:
        entries = [
            {"fullUrl": self._client.full_url(r), "resource": r} if r.get("id") else {"resource": r}
            for r in resources
        ]
        bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
        return json.dumps(bundle, separators=(",", ":"), ensure_ascii=False).encode()

    def _commit(self, batch: list[PreparedMessage], mark: str, report: PollReport) -> None:
        """Commit one page's messages with the mark it reaches (``""``: from the beginning)."""
        cursor = None
        if mark != (report.mark_after or ""):
            cursor = CursorUpdate(self.connector, CURSOR_NAME, mark)
        if not batch and cursor is None:
            return
        outcomes = self._store.commit(batch, cursor=cursor)
        if any(o.kind is OutcomeKind.RETRY for o in outcomes):
            raise RetriableError("storage is unavailable; the page will be read again")
        for outcome in outcomes:
            if outcome.kind is OutcomeKind.DUPLICATE:
                report.duplicates += 1
            elif outcome.kind is OutcomeKind.REJECTED:
                report.rejected += 1
            else:
                report.accepted += 1
        report.mark_after = mark or None

    def _mark(self) -> str | None:
        with self._sessions() as session:
            row = session.get(ConnectorCursor, (self.connector, CURSOR_NAME))
        if row is not None:
            return row.value or None
        start_at = self.server.start_at
        if start_at is None:
            return None
        return (start_at if start_at.tzinfo else start_at.replace(tzinfo=dt.UTC)).isoformat()

    def _not_stored(self, dispenses: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """The dispenses whose version is not stored yet, each version once (unversioned ones
        always count as new)."""
        wanted = sorted({k for d in dispenses if (k := _version_key(d)) is not None})
        stored: set[str] = set()
        if wanted:
            with self._sessions() as session:
                stored = set(
                    session.scalars(
                        select(_MESSAGES.c.dedupe_key).where(
                            _MESSAGES.c.connector == self.connector,
                            _MESSAGES.c.format == MessageFormat.FHIR_R4.value,
                            _MESSAGES.c.dedupe_key.in_(wanted),
                        )
                    )
                )
        fresh = []
        for dispense in dispenses:
            key = _version_key(dispense)
            if key is None or key not in stored:
                fresh.append(dispense)
                if key is not None:
                    stored.add(key)
        return fresh


def _version_key(dispense: Mapping[str, Any]) -> str | None:
    """The dedupe key prepare_fhir gives this dispense (``mapping.fhir.dedupe_key``)."""
    version = (dispense.get("meta") or {}).get("versionId")
    if dispense.get("id") and version:
        return f"MedicationDispense/{dispense['id']}/_history/{version}"
    return None
