"""CSV files to ``PreparedMessage``s: one message per order (its rows), streamed.

A file is read once to hash it (the dedupe id of each message is ``<file sha256>:<first line>``,
design.md's "file hash + row"; its control id is ``<source>:<first line>``, where the source is
the file ledger's ``file-<id>``, never the file name, which may carry patient data), then
streamed through the connector's CSV mapping. Each order's rows become one message; rejected
rows of one order (or a row without order_id) become one rejected message. Every message's raw
payload is the header line and its rows, encoded as they were received, so it can be replayed
on its own after a profile fix.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from finalmile.errors import InputError
from finalmile.intake.prepare import PreparedMessage, check_lengths, internal_error
from finalmile.mapping import (
    CsvOrder,
    CsvProfile,
    CsvRejection,
    MappingCode,
    OrderAction,
    OrderIntent,
    iter_orders,
)
from finalmile.messages import MessageFormat

MAX_CONTROL_ID = 200
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class CsvMessage:
    """One prepared message and the rejected rows it holds (empty when accepted)."""

    prepared: PreparedMessage
    rejections: tuple[CsvRejection, ...] = ()


def file_sha256(stream: BinaryIO) -> str:
    """The sha256 of a seekable stream's content; the stream is left at its start."""
    digest = hashlib.sha256()
    stream.seek(0)
    while chunk := stream.read(_CHUNK):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def prepare_csv(
    stream: BinaryIO,
    *,
    connector: str,
    profile: CsvProfile,
    received_at: dt.datetime,
    source: str,
) -> Iterator[CsvMessage]:
    """The messages of one seekable CSV stream, in file order; ``source`` labels the file in
    control ids (no patient data: not the file name).

    Raises:
        InputError: for a file that cannot be read at all (empty, bad header, unreadable quoting);
            messages before a quoting error have been yielded already.
    """
    origin = _Source(connector, profile, received_at, source, file_sha256(stream))
    pending: list[CsvRejection] = []
    for result in iter_orders(stream, connector=connector, profile=profile):
        if pending and not _same_order(pending[-1], result):
            yield origin.rejected(pending)
            pending = []
        if isinstance(result, CsvRejection):
            pending.append(result)
        else:
            yield origin.accepted(result)
    if pending:
        yield origin.rejected(pending)


def prepare_csv_replay(
    raw: bytes,
    *,
    connector: str,
    profile: CsvProfile,
    received_at: dt.datetime,
    replay_of: int,
) -> PreparedMessage:
    """Process a stored CSV message (header and rows) again; line numbers count from its header."""
    intents: list[OrderIntent] = []
    error: InputError | None = None
    try:
        for result in iter_orders(io.BytesIO(raw), connector=connector, profile=profile):
            if isinstance(result, CsvRejection):
                error = error or _primary_error([result])
            else:
                intents.append(_intent(result))
        error = error or check_lengths(tuple(intents))
    except InputError as exc:
        error = exc
    except Exception as exc:  # a bug of ours must not lose the message: keep it, rejected
        error = internal_error(exc, connector=connector, format_=MessageFormat.CSV)
    return _message(
        raw,
        connector=connector,
        received_at=received_at,
        control_id=None,
        dedupe_id=None,
        intents=tuple(intents),
        error=error,
        replay_of=replay_of,
    )


def _same_order(last: CsvRejection, result: CsvOrder | CsvRejection) -> bool:
    return (
        isinstance(result, CsvRejection)
        and last.order_id is not None
        and result.order_id == last.order_id
    )


@dataclass(frozen=True, slots=True)
class _Source:
    """The file being prepared: what every message of it shares."""

    connector: str
    profile: CsvProfile
    received_at: dt.datetime
    source: str
    file_hash: str

    def accepted(self, result: CsvOrder) -> CsvMessage:
        intents = (_intent(result),)
        return CsvMessage(
            self._message(
                result.header + result.raw, result.lines[0], intents, check_lengths(intents)
            )
        )

    def rejected(self, rows: list[CsvRejection]) -> CsvMessage:
        raw = rows[0].header + "".join(row.raw for row in rows)
        return CsvMessage(self._message(raw, rows[0].line, (), _primary_error(rows)), tuple(rows))

    def _message(
        self, text: str, line: int, intents: tuple[OrderIntent, ...], error: InputError | None
    ) -> PreparedMessage:
        suffix = f":{line}"
        return _message(
            text.encode(self.profile.encoding, errors="surrogateescape"),
            connector=self.connector,
            received_at=self.received_at,
            control_id=self.source[: MAX_CONTROL_ID - len(suffix)] + suffix,
            dedupe_id=f"{self.file_hash}{suffix}",
            intents=intents,
            error=error,
        )


def _intent(result: CsvOrder) -> OrderIntent:
    return OrderIntent(
        OrderAction.UPSERT,
        result.order.order_id,
        result.order,
        location=f"line {result.lines[0]}",
    )


def _primary_error(rows: list[CsvRejection]) -> InputError:
    """The first row's own error (not the ``order_rejected`` pointer of its sibling rows)."""
    return next(
        (r.error for r in rows if r.error.code != MappingCode.ORDER_REJECTED), rows[0].error
    )


def _message(
    raw: bytes,
    *,
    connector: str,
    received_at: dt.datetime,
    control_id: str | None,
    dedupe_id: str | None,
    intents: tuple[OrderIntent, ...],
    error: InputError | None,
    replay_of: int | None = None,
) -> PreparedMessage:
    return PreparedMessage(
        connector=connector,
        format=MessageFormat.CSV,
        raw=raw,
        received_at=received_at,
        sha256=hashlib.sha256(raw).hexdigest(),
        control_id=control_id,
        dedupe_id=dedupe_id,
        message_type=None,
        version=None,
        header=None,
        intents=intents if error is None else (),
        error=error,
        replay_of=replay_of,
    )
