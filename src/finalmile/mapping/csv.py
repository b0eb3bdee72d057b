"""The default CSV profile (design.md, "Default CSV profile"): a file streamed into orders.

Decisions the design leaves open:

- Rows sharing an order_id are one order, items in line order, wherever the rows are in the file:
  an order is whole or not at all, never sent on with some of its rows.
- Order-level columns (patient, ship-to, needed_by, requires_signature, instructions) come from
  the order's first row; a later row may leave them empty but may not contradict them.
- A bad row rejects its whole order, never part of it: each row of the order is reported, bad rows
  with their own error and the others with ``order_rejected`` pointing at the first bad line.
- A row whose field count differs from the header's is rejected (a shifted delimiter or quote).
- The file is read twice: the first pass files every record under its order on disk
  (``csv_rows``), the second maps one order at a time, orders by their first line. Memory stays
  flat whatever the file's size; no order is yielded before the whole file has been read, so a file
  whose quoting cannot be read yields nothing.
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
from finalmile.mapping.csv_rows import OrderRows
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
    """A CSV file's orders and rejected rows, each order whole, holding one order at a time.

    The file is read to its end before the first result; results come by the first line of each
    order (a row without a valid order_id is a rejection of its own, at its line).

    Raises:
        InputError: at ``line 1`` for an empty file or a bad header, or ``malformed_csv`` at a line
            whose quoting cannot be read (before any result).
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
    filed = OrderRows()
    try:
        for record in records:
            found = values(record, header, profile)
            filed.add(_order_id(record, found, header), record)
        for group in filed.groups():
            pairs = [(record, values(record, header, profile)) for record in group]
            refused = _refused_id(pairs[0][0], pairs[0][1], header)
            if refused is not None:
                yield CsvRejection(group[0].line, None, refused, group[0].raw, first.raw)
            else:
                yield from _finish(pairs, header, first.raw, connector, profile)
    finally:
        filed.close()


def _order_id(record: CsvRecord, found: dict[str, str], header: Header) -> str | None:
    """The row's order id, or ``None`` when it has no valid one (the row is rejected alone)."""
    if _refused_id(record, found, header) is not None:
        return None
    return found["order_id"]


def _refused_id(record: CsvRecord, found: dict[str, str], header: Header) -> InputError | None:
    order_id = found.get("order_id")
    if order_id is None:
        return InputError(
            f"{header.names.get('order_id', 'order_id')} is required",
            location=header.location(record.line, "order_id"),
            code=ErrorCode.REQUIRED,
        )
    try:
        check_identifier(
            order_id, location=header.location(record.line, "order_id"), what="order id"
        )
    except InputError as refused:
        return refused
    return None


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
