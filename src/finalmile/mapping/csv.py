"""The default CSV profile (design.md, "Default CSV profile"): a file streamed into orders.

Decisions the design leaves open:

- Rows sharing an order_id are one order, items in row order; they must be contiguous. A row that
  repeats an order_id whose rows already ended is rejected (naming the line the order was first
  seen on), as is every later row of that order: the earlier rows were already sent on.
- Order-level columns (patient, ship-to, needed_by, requires_signature, instructions) come from
  the order's first row; a later row may leave them empty but may not contradict them.
- A bad row rejects its whole order, never part of it: each row of the order is reported, bad rows
  with their own error and the others with ``order_rejected`` pointing at the first bad line.
- A row whose field count differs from the header's is rejected (a shifted delimiter or quote).
- Memory is one order's rows plus a bounded window of the order_ids seen so far; older ones spill
  to a temporary on-disk set (``csv_seen``) for the contiguity check.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from typing import BinaryIO

from finalmile.adapters.csv import CsvRecord, read_records
from finalmile.canonical import DispatchOrder
from finalmile.errors import ErrorCode, InputError
from finalmile.mapping.codes import MappingCode
from finalmile.mapping.csv_profile import CsvProfile
from finalmile.mapping.csv_row import ORDER_COLUMNS, Header, Row, read_header, read_row, values
from finalmile.mapping.csv_seen import SeenOrderIds
from finalmile.mapping.identifiers import check_identifier

__all__ = ["CsvOrder", "CsvProfile", "CsvRejection", "iter_orders"]


@dataclass(frozen=True, slots=True)
class CsvOrder:
    """A valid order, the lines of its rows, ``dedupe_key`` (order_id and the sha256 of the rows'
    raw text, stable across re-sends of the same rows), the rows' raw text and the header line's
    (both hold patient data: store them encrypted and never log them)."""

    order: DispatchOrder
    lines: tuple[int, ...]
    dedupe_key: str
    raw: str
    header: str


@dataclass(frozen=True, slots=True)
class CsvRejection:
    """A rejected row: its line, order_id (``None`` when it has none), why, and its raw text (kept
    for correction and replay; it holds patient data, so store it encrypted and never log it)."""

    line: int
    order_id: str | None
    error: InputError
    raw: str
    header: str


def iter_orders(
    stream: BinaryIO, *, connector: str, profile: CsvProfile
) -> Iterator[CsvOrder | CsvRejection]:
    """Stream a CSV file into orders and rejected rows, holding one order at a time.

    Results come in file order, except that a row without order_id is reported at once, before
    the rows of the order around it.

    Raises:
        InputError: at ``line 1`` for an empty file or a bad header (before any row is read), or
            ``malformed_csv`` at a line whose quoting cannot be read.
    """
    with closing(
        read_records(stream, delimiter=profile.delimiter, encoding=profile.encoding)
    ) as records:
        yield from _orders(records, connector, profile)


def _orders(
    records: Iterator[CsvRecord], connector: str, profile: CsvProfile
) -> Iterator[CsvOrder | CsvRejection]:
    first = next(records, None)
    if first is None:
        raise InputError(
            "the file is empty; expected a header row",
            location="line 1",
            code=MappingCode.EMPTY_FILE,
        )
    header = read_header(first, profile)
    seen = SeenOrderIds()
    try:
        yield from _groups(
            records,
            header=header,
            header_raw=first.raw,
            connector=connector,
            profile=profile,
            seen=seen,
        )
    finally:
        seen.close()


def _groups(
    records: Iterator[CsvRecord],
    *,
    header: Header,
    header_raw: str,
    connector: str,
    profile: CsvProfile,
    seen: SeenOrderIds,
) -> Iterator[CsvOrder | CsvRejection]:
    group: list[tuple[CsvRecord, dict[str, str]]] = []
    group_id: str | None = None
    for record in records:
        found = values(record, header, profile)
        order_id = found.get("order_id")
        if order_id is None:
            error = InputError(
                f"{header.names.get('order_id', 'order_id')} is required",
                location=header.location(record.line, "order_id"),
                code=ErrorCode.REQUIRED,
            )
            yield CsvRejection(record.line, None, error, record.raw, header_raw)
            continue
        try:
            check_identifier(
                order_id, location=header.location(record.line, "order_id"), what="order id"
            )
        except InputError as refused:
            yield CsvRejection(record.line, None, refused, record.raw, header_raw)
            continue
        if group and order_id != group_id:
            yield from _finish(group, header, header_raw, connector, profile)
            group = []
        if not group:
            first_line = seen.first_seen(order_id, record.line)
            if first_line is not None:
                error = _repeated(order_id, first_line)
                yield CsvRejection(record.line, order_id, error, record.raw, header_raw)
                continue
            group_id = order_id
        group.append((record, found))
    if group:
        yield from _finish(group, header, header_raw, connector, profile)


def _finish(
    pairs: list[tuple[CsvRecord, dict[str, str]]],
    header: Header,
    header_raw: str,
    connector: str,
    profile: CsvProfile,
) -> Iterator[CsvOrder | CsvRejection]:
    group = [record for record, _ in pairs]
    first, first_found = pairs[0]
    rows: list[Row | InputError] = []
    for record, found in pairs:
        try:
            rows.append(read_row(record, found, header, profile))
        except InputError as exc:
            rows.append(exc)
        else:
            conflict = _conflict(first.line, first_found, record.line, found, header)
            if conflict is not None:
                rows[-1] = conflict
    order_id = first_found.get("order_id", "")
    bad = next((r for r, row in zip(group, rows, strict=True) if isinstance(row, InputError)), None)
    if bad is None:
        good = [row for row in rows if isinstance(row, Row)]
        yield CsvOrder(
            _order(good, connector),
            tuple(r.line for r in group),
            _key(order_id, group),
            "".join(r.raw for r in group),
            header_raw,
        )
        return
    for record, row in zip(group, rows, strict=True):
        error = (
            row
            if isinstance(row, InputError)
            else InputError(
                f"order {order_id!r} is rejected because line {bad.line} is invalid; fix it and "
                "send all of the order's rows again",
                location=f"line {bad.line}",
                code=MappingCode.ORDER_REJECTED,
            )
        )
        yield CsvRejection(record.line, order_id, error, record.raw, header_raw)


def _conflict(
    first_line: int, first: dict[str, str], line: int, found: dict[str, str], header: Header
) -> InputError | None:
    for column in ORDER_COLUMNS:
        later = found.get(column)
        if later is not None and later != first.get(column):
            return InputError(
                f"{header.names.get(column, column)} differs from line {first_line} of the same "
                "order; an order has one patient, address and delivery details",
                location=header.location(line, column),
                code=MappingCode.CONFLICTING_VALUE,
            )
    return None


def _order(rows: list[Row], connector: str) -> DispatchOrder:
    head = rows[0]
    return DispatchOrder(
        order_id=head.order_id,
        connector=connector,
        patient=head.patient,
        ship_to=head.ship_to,
        items=tuple(row.item for row in rows),
        needed_by=head.needed_by,
        requires_signature=head.requires_signature,
        instructions=head.instructions,
    )


def _key(order_id: str, group: list[CsvRecord]) -> str:
    digest = hashlib.sha256()
    for record in group:
        digest.update(record.raw.encode("utf-8", "surrogateescape"))
    return f"{order_id}:{digest.hexdigest()}"


def _repeated(order_id: str, first_line: int) -> InputError:
    return InputError(
        f"order {order_id!r} was first seen on line {first_line} and its rows ended before this "
        "one; keep all rows of an order together",
        location=f"line {first_line}",
        code=MappingCode.NOT_CONTIGUOUS,
    )
