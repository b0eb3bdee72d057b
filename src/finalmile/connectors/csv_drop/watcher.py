"""A CSV drop folder: ``incoming/`` -> ``processing/`` -> ``processed/`` or ``failed/``.

A file is read only once it is complete: hidden and temporary names (``.x``, ``~x``, ``*.tmp``,
``*.part``, ``*.partial``, ``*.filepart``, ``*.crdownload``) are never read, and any other file
must keep the same size and modification time for ``settle_seconds`` across scans. Writers that
can should write under a temporary name and rename when done.

A settled file is moved to ``processing/`` (an atomic rename) and ingested through the file
ledger, so dropping the same content twice ingests it once. It then moves to ``processed/``,
or to ``failed/`` with ``<name>.errors.txt`` beside it when rows were rejected (the good rows are
committed; each rejected row is listed with its line, column and message id) or when the file
could not be read. When storage is unavailable the file stays in ``processing/`` and is tried
again on the next scan; files left there by a crash are picked up the same way.

Only regular files inside the folder are read: symbolic links (to a file or a folder) and anything
that resolves outside the folder are ignored and logged, and a file is opened without following
a link, so a link planted in ``incoming/`` cannot make the service ingest another file.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import structlog

from finalmile.intake import CsvMessage, FileIntake, FileSummary, Outcome
from finalmile.profiles import DropFolder

log = structlog.get_logger(__name__)

TEMPORARY_SUFFIXES = (".tmp", ".part", ".partial", ".filepart", ".crdownload")
FOLDERS = ("incoming", "processing", "processed", "failed")


@dataclass(frozen=True)
class _Seen:
    size: int
    mtime_ns: int
    since: float


@dataclass(frozen=True)
class FileResult:
    """Where one file went and its summary (None when it waits for storage)."""

    name: str
    moved_to: Path | None
    summary: FileSummary


class DropFolderWatcher:
    """Scans one connector's drop folder; call ``scan`` periodically (one caller at a time)."""

    def __init__(
        self,
        files: FileIntake,
        *,
        connector: str,
        folder: DropFolder,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._files = files
        self._connector = connector
        self._folder = folder
        self._clock = clock
        self._seen: dict[str, _Seen] = {}
        for name in FOLDERS:
            (folder.path / name).mkdir(parents=True, exist_ok=True)

    def scan(self) -> list[FileResult]:
        """Ingest what was left in ``processing/``, then every settled file of ``incoming/``."""
        processing = self._dir("processing")
        results = [self._ingest(path) for path in self._regular_files(processing)]
        for path in self._settled():
            target = self._dir("processing") / path.name
            try:
                path.rename(target)
            except FileNotFoundError:  # taken away meanwhile
                continue
            results.append(self._ingest(target))
        return results

    def _settled(self) -> list[Path]:
        now, ready, present = self._clock(), [], set()
        for path in self._regular_files(self._dir("incoming")):
            if _temporary(path.name):
                continue
            present.add(path.name)
            stat = path.stat()
            seen = self._seen.get(path.name)
            if seen is None or (seen.size, seen.mtime_ns) != (stat.st_size, stat.st_mtime_ns):
                self._seen[path.name] = _Seen(stat.st_size, stat.st_mtime_ns, now)
            elif now - seen.since >= self._folder.settle_seconds:
                ready.append(path)
                del self._seen[path.name]
        for gone in set(self._seen) - present:
            del self._seen[gone]
        return ready

    def _ingest(self, path: Path) -> FileResult:
        report = _ErrorReport(self._dir("failed") / f".{path.name}.errors.txt.part")
        try:
            with os.fdopen(os.open(path, os.O_RDONLY | os.O_NOFOLLOW), "rb") as stream:
                summary = self._files.ingest_csv(
                    stream, connector=self._connector, name=path.name, on_result=report.add
                )
        finally:
            report.close()
        if summary.retry:
            report.discard()
            log.warning("drop_file_retry", connector=self._connector, file_id=summary.file_id)
            return FileResult(path.name, None, summary)
        if summary.clean:
            report.discard()
            moved = _move(path, self._dir("processed"))
        else:
            moved = _move(path, self._dir("failed"))
            report.finish(summary, moved.name)
        log.info(
            "drop_file_done",
            connector=self._connector,
            file_id=summary.file_id,
            status=summary.status.value,
            accepted=summary.accepted,
            rejected=summary.rejected_rows,
            already_processed=summary.already_processed,
        )
        return FileResult(path.name, moved, summary)

    def _dir(self, name: str) -> Path:
        return self._folder.path / name

    def _regular_files(self, folder: Path) -> list[Path]:
        """The regular files of ``folder`` that are really inside it; links are skipped."""
        inside = folder.resolve()
        found = []
        for path in sorted(folder.iterdir()):
            if path.is_symlink() or not path.is_file() or path.resolve().parent != inside:
                if not path.is_dir() or path.is_symlink():
                    log.warning(
                        "drop_file_ignored", connector=self._connector, reason="not a regular file"
                    )
                continue
            found.append(path)
        return found


class _ErrorReport:
    """``<name>.errors.txt``: written under a hidden name as rows are rejected, then renamed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._out: TextIO | None = None
        self._started = False  # the first open truncates what a crash may have left

    def add(self, message: CsvMessage, outcome: Outcome) -> None:
        rows = message.rejections
        if not rows and outcome.error is None:
            return
        out = self._open()
        for row in rows:
            out.write(
                f"line {row.line}: {row.error.location or ''}: {row.error.code}: "
                f"{row.error.message} (message {outcome.message_id})\n"
            )
        if not rows and outcome.error is not None:
            error = outcome.error
            out.write(f"{error.location or ''}: {error.code}: {error.message}\n")

    def finish(self, summary: FileSummary, moved_name: str) -> None:
        out = self._open()
        if summary.error is not None:
            error = summary.error
            out.write(f"{error.location or 'file'}: {error.code}: {error.message}\n")
        out.write(
            f"-- {moved_name}: {summary.accepted} order(s) committed, {summary.rejected_rows} "
            f"row(s) rejected and kept for replay (finalmile messages replay ID after a profile "
            "fix), or drop a corrected file: committed orders are not doubled.\n"
        )
        self.close()
        self.path.rename(self.path.with_name(f"{moved_name}.errors.txt"))

    def discard(self) -> None:
        self.close()
        self.path.unlink(missing_ok=True)

    def close(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None

    def _open(self) -> TextIO:
        if self._out is None:
            self._out = self.path.open("a" if self._started else "w", encoding="utf-8")
            self._started = True
        return self._out


def _temporary(name: str) -> bool:
    return name.startswith((".", "~")) or name.lower().endswith(TEMPORARY_SUFFIXES)


def _move(path: Path, folder: Path) -> Path:
    target = folder / path.name
    if target.exists():
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = folder / f"{stamp}-{path.name}"
    return path.rename(target)
