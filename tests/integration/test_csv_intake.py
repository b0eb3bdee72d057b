"""CSV intake end to end: upload, drop folder, file ledger, replay of rejected rows."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from finalmile.app import Services
from finalmile.auth.models import Scope
from finalmile.auth.service import create_key
from finalmile.connectors.csv_drop.watcher import DropFolderWatcher
from finalmile.intake.files import FileIntake
from finalmile.intake.models import FileStatus, IngestedFile
from finalmile.intake.outcome import OutcomeKind
from finalmile.intake.service import IntakeService
from finalmile.intake.store import IntakeStore
from finalmile.messages.models import InboundMessage, MessageFormat, MessageStatus
from finalmile.orders.models import Order
from finalmile.profiles.connector import DropFolder
from finalmile.profiles.registry import load_connectors
from tests.conftest import read_fixture

MIXED = read_fixture("csv", "rows_with_errors.csv")
GOOD = read_fixture("csv", "orders_bom_crlf.csv")


def _orders(services: Services) -> list[str]:
    with services.sessions() as session:
        return sorted(session.scalars(select(Order.order_id)).all())


def test_upload_commits_good_orders_and_lists_rejected_rows(client: TestClient) -> None:
    services: Services = client.app.state.services
    with services.sessions() as session, session.begin():
        key = create_key(session=session, name="it", scopes=[Scope.ORDERS_WRITE]).token
    upload = {"file": ("mixed.csv", MIXED, "text/csv")}
    response = client.post("/csv", files=upload, headers={"X-API-Key": key})
    assert response.status_code == 422
    body = response.json()
    assert [o["order_id"] for o in body["orders"]] == ["OK-1", "OK-2"]
    assert {o["action"] for o in body["orders"]} == {"created"}
    rejected = {row["line"]: row for row in body["rejected"]}
    assert rejected[2]["location"] == "line 2, column 'quantity'"
    assert 9 not in rejected  # OK-1's second row, apart from its first, is part of the order
    assert sorted(rejected) == [2, 3, 5, 6, 7, 8, 10, 11, 12, 13, 14]
    assert body["rejected_rows"] == 11 and body["accepted"] == 2
    assert _orders(services) == ["OK-1", "OK-2"]

    again = client.post("/csv", files=upload, headers={"X-API-Key": key})
    assert again.status_code == 200
    assert again.json()["already_processed"] is True
    assert again.json()["file_id"] == body["file_id"]


def test_rejected_csv_rows_are_kept_and_replay_after_a_profile_fix(
    services: Services, tmp_path: Path
) -> None:
    text = GOOD.decode("utf-8-sig").replace(",R,2026", ",REF,2026", 1)
    summary = services.files.ingest_csv(
        io.BytesIO(text.encode()), connector="default", name="orders.csv"
    )
    assert (summary.accepted, summary.rejected_rows) == (1, 2)  # RX-1001's two rows
    with services.sessions() as session:
        message = session.scalars(
            select(InboundMessage).where(InboundMessage.status == MessageStatus.REJECTED)
        ).one()
        control_id = f"file-{summary.file_id}:2"  # the ledger's id: no file name, no PHI
        assert (message.format, message.control_id) == (MessageFormat.CSV, control_id)
        assert message.error_location == "line 2, column 'storage'"
        stored = services.vault.decrypt(message.raw_encrypted).decode()
    assert stored.startswith("order_id,mrn,") and stored.count("\n") == 3  # header + 2 rows

    (tmp_path / "connectors").mkdir()
    (tmp_path / "connectors" / "default.yaml").write_text(
        "csv:\n  mapping:\n    storage_codes: {REF: refrigerated, ambient: ambient}\n"
    )
    fixed = IntakeService(
        store=IntakeStore(services.engine, services.vault),
        sessions=services.sessions,
        vault=services.vault,
        connectors=load_connectors(services.settings.model_copy(update={"config_dir": tmp_path})),
    )
    assert message.id is not None
    replayed = fixed.replay(message.id)
    assert (replayed.kind, replayed.order_ids) == (OutcomeKind.ACCEPTED, ("RX-1001",))
    assert "RX-1001" in _orders(services)


def test_a_file_that_cannot_be_read_is_failed_in_the_ledger(services: Services) -> None:
    summary = services.files.ingest_csv(
        io.BytesIO(b"rx,who\n1,2\n"), connector="default", name="wrong.csv"
    )
    assert summary.status is FileStatus.FAILED
    assert summary.error is not None and summary.error.location == "line 1"
    with services.sessions() as session:
        row = session.scalars(select(IngestedFile)).one()
    assert row.status is FileStatus.FAILED
    assert services.vault.decrypt(row.name_encrypted) == b"wrong.csv"
    assert row.error is not None and "lacks required column(s) 'order_id'" in row.error


def test_a_file_name_is_stored_encrypted_and_read_back(services: Services) -> None:
    name = "testpatient_alpha_rx.csv"  # a name that carries a (synthetic) patient's name
    first = services.files.ingest_csv(io.BytesIO(GOOD), connector="default", name=name)
    with services.sessions() as session:
        row = session.scalars(select(IngestedFile)).one()
        controls = session.scalars(select(InboundMessage.control_id)).all()
    assert b"testpatient" not in row.name_encrypted
    assert not any("testpatient" in (c or "") for c in controls)
    again = services.files.ingest_csv(io.BytesIO(GOOD), connector="default", name="other.csv")
    assert again.already_processed and (again.file_id, again.name) == (first.file_id, name)


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def drop(services: Services, tmp_path: Path) -> tuple[DropFolderWatcher, _Clock, Path]:
    clock = _Clock()
    folder = DropFolder(path=tmp_path / "drop", settle_seconds=2)
    watcher = DropFolderWatcher(
        FileIntake(services.intake, services.sessions, services.vault),
        connector="default",
        folder=folder,
        clock=clock,
    )
    return watcher, clock, folder.path


def test_drop_folder_reads_settled_files_once_and_sorts_them(
    services: Services, drop: tuple[DropFolderWatcher, _Clock, Path]
) -> None:
    watcher, clock, root = drop
    (root / "incoming" / "good.csv").write_bytes(GOOD)
    (root / "incoming" / "mixed.csv").write_bytes(MIXED)
    (root / "incoming" / "upload.csv.part").write_bytes(GOOD[:50])  # still being written
    (root / "incoming" / ".hidden.csv").write_bytes(GOOD)
    assert watcher.scan() == []  # first sight: not settled yet
    clock.now = 1.0
    assert watcher.scan() == []
    clock.now = 2.5
    results = {r.name: r for r in watcher.scan()}
    assert sorted(results) == ["good.csv", "mixed.csv"]
    assert results["good.csv"].moved_to == root / "processed" / "good.csv"
    assert results["mixed.csv"].moved_to == root / "failed" / "mixed.csv"
    report = (root / "failed" / "mixed.csv.errors.txt").read_text()
    assert "line 2: line 2, column 'quantity': invalid_quantity:" in report
    assert "2 order(s) committed, 11 row(s) rejected" in report
    assert sorted(p.name for p in (root / "incoming").iterdir()) == [
        ".hidden.csv",
        "upload.csv.part",
    ]
    assert _orders(services) == ["OK-1", "OK-2", "RX-1001", "RX-1002"]

    (root / "incoming" / "good-again.csv").write_bytes(GOOD)  # same content, new name
    watcher.scan()
    clock.now = 5.0
    [again] = watcher.scan()
    assert (
        again.summary.already_processed and again.moved_to == root / "processed" / "good-again.csv"
    )
    with services.sessions() as session:
        assert len(session.scalars(select(IngestedFile)).all()) == 2


def test_a_growing_file_waits_until_it_stops_changing(
    drop: tuple[DropFolderWatcher, _Clock, Path],
) -> None:
    watcher, clock, root = drop
    target = root / "incoming" / "slow.csv"
    target.write_bytes(GOOD[:100])
    watcher.scan()
    clock.now = 3.0
    target.write_bytes(GOOD)  # grew since the last scan
    assert watcher.scan() == []
    clock.now = 6.0
    [result] = watcher.scan()
    assert result.summary.accepted == 2


def test_a_file_left_in_processing_by_a_crash_is_finished(
    services: Services, drop: tuple[DropFolderWatcher, _Clock, Path]
) -> None:
    watcher, _, root = drop
    first_half = b"".join(GOOD.splitlines(keepends=True)[:3])  # header + RX-1001's rows
    services.files.ingest_csv(io.BytesIO(first_half), connector="default", name="part.csv")
    (root / "processing" / "orders.csv").write_bytes(GOOD)
    [result] = watcher.scan()
    assert result.moved_to == root / "processed" / "orders.csv"
    assert (result.summary.accepted, result.summary.duplicate) == (2, 0)
    assert _orders(services) == ["RX-1001", "RX-1002"]


def test_drop_folder_ignores_links_out_of_the_folder(
    services: Services, drop: tuple[DropFolderWatcher, _Clock, Path], tmp_path: Path
) -> None:
    watcher, clock, root = drop
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.csv").write_bytes(GOOD)
    (root / "incoming" / "linked.csv").symlink_to(outside / "secret.csv")
    (root / "incoming" / "linked-dir").symlink_to(outside)
    (root / "processing" / "left.csv").symlink_to(outside / "secret.csv")
    for now in (0.0, 2.5, 5.0):
        clock.now = now
        assert watcher.scan() == []
    assert _orders(services) == []
    assert (root / "incoming" / "linked.csv").is_symlink()
    assert (outside / "secret.csv").read_bytes() == GOOD
