"""One CSV row of the default profile read into canonical values; errors name line and column."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from finalmile.adapters.csv import CsvRecord
from finalmile.canonical import Address, ControlledSchedule, Item, Patient, StorageClass
from finalmile.errors import ErrorCode, InputError
from finalmile.mapping.address import check_deliverable
from finalmile.mapping.codes import MappingCode
from finalmile.mapping.csv_profile import COLUMNS, REQUIRED, CsvProfile
from finalmile.mapping.phone import to_e164
from finalmile.mapping.product import checked_ndc
from finalmile.mapping.schedule import ScheduleError, controlled_schedule

# Columns that describe the order rather than one item: every row of an order must agree on them.
_ITEM_COLUMNS = (
    "order_id",
    "ndc",
    "description",
    "quantity",
    "unit",
    "storage",
    "controlled_schedule",
)
ORDER_COLUMNS = tuple(c for c in COLUMNS if c not in _ITEM_COLUMNS)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_FLAGS = {"y": True, "n": False, "true": True, "false": False, "1": True, "0": False}


@dataclass(frozen=True, slots=True)
class Header:
    """Where each canonical column sits in the file: 0-based index and the file's own name."""

    index: dict[str, int]
    names: dict[str, str]
    width: int

    def location(self, line: int, column: str) -> str:
        """``line 12, column 'DOB'``: the file's header name of a canonical column."""
        return f"line {line}, column {self.names.get(column, column)!r}"


@dataclass(frozen=True, slots=True)
class Row:
    """A valid row: the order-level values and its item."""

    line: int
    order_id: str
    patient: Patient
    ship_to: Address
    item: Item
    needed_by: dt.datetime | None
    requires_signature: bool
    instructions: str | None


def read_header(record: CsvRecord, profile: CsvProfile) -> Header:
    """Match the header row against the profile's column names (trimmed, case-insensitive).

    Raises:
        InputError: at ``line 1``: duplicate names, or required columns missing (all listed).
    """
    position: dict[str, int] = {}
    duplicates = []
    for i, name in enumerate(record.fields):
        key = name.strip().casefold()
        if key in position:
            duplicates.append(name.strip())
        position.setdefault(key, i)
    if duplicates:
        raise InputError(
            f"the header repeats column(s) {', '.join(map(repr, duplicates))}; name each once",
            location="line 1",
            code=MappingCode.DUPLICATE_COLUMN,
        )
    index: dict[str, int] = {}
    names: dict[str, str] = {}
    for column in COLUMNS:
        at = position.get(profile.header_name(column).strip().casefold())
        if at is not None:
            index[column], names[column] = at, record.fields[at].strip()
    missing = [
        profile.header_name(c) for c in REQUIRED if c not in index and c not in profile.defaults
    ]
    if missing:
        raise InputError(
            f"the header lacks required column(s) {', '.join(map(repr, missing))}",
            location="line 1",
            code=MappingCode.MISSING_COLUMN,
        )
    return Header(index, names, len(record.fields))


def values(record: CsvRecord, header: Header, profile: CsvProfile) -> dict[str, str]:
    """Each canonical column's trimmed value, else the profile's default; empty ones left out."""
    fields, width = record.fields, len(record.fields)
    found = {column: default for column, default in profile.defaults.items() if default}
    for column, i in header.index.items():
        if i < width and (text := fields[i].strip()):
            found[column] = text
    return found


def read_row(record: CsvRecord, found: dict[str, str], header: Header, profile: CsvProfile) -> Row:
    """Check and convert one row whose ``values`` are ``found``.

    Raises:
        InputError: at ``line N, column 'name'`` for the first problem; never quotes patient data.
    """
    line = record.line
    if len(record.fields) != header.width:
        raise InputError(
            f"the row has {len(record.fields)} fields but the header has {header.width}; check "
            "the delimiter and the quoting",
            location=f"line {line}",
            code=MappingCode.FIELD_COUNT,
        )
    if record.undecodable:
        names = list(header.names.items())
        at = next((c for c, _ in names if header.index[c] == record.undecodable[0]), None)
        raise InputError(
            f"the row holds bytes that are not valid {profile.encoding}; check the file's encoding",
            location=header.location(line, at) if at else f"line {line}",
            code=MappingCode.UNDECODABLE,
        )

    get = found.get
    where = _Where(header, line)

    def need(column: str) -> str:
        found = get(column)
        if found is None:
            raise InputError(
                f"{header.names.get(column, column)} is required",
                location=header.location(line, column),
                code=ErrorCode.REQUIRED,
            )
        return found

    order_id, mrn, line1, city = need("order_id"), need("mrn"), need("line1"), need("city")
    quantity = _quantity(need("quantity"), where)
    family, given = get("family"), get("given")
    born = get("birth_date")
    phone = get("phone")
    due = get("needed_by")
    flag = get("requires_signature")
    ship_to = Address(
        name=get("ship_name") or " ".join(p for p in (given, family) if p) or None,
        line1=line1,
        line2=get("line2"),
        city=city,
        state=get("state"),
        postal_code=get("postal_code"),
    )
    check_deliverable(
        ship_to,
        {part: where.at(part) for part in ("line1", "city", "state", "postal_code")},
        required=ErrorCode.REQUIRED,
        undeliverable=MappingCode.UNDELIVERABLE_ADDRESS,
    )
    return Row(
        line=line,
        order_id=order_id,
        patient=Patient(
            mrn=mrn,
            family=family,
            given=given,
            birth_date=_birth_date(born, where) if born else None,
            phone=to_e164(phone) if phone else None,
            email=get("email"),
        ),
        ship_to=ship_to,
        item=Item(
            ndc=checked_ndc(
                get("ndc"), where.at("ndc"), code=MappingCode.INVALID_NDC, context="the row"
            ),
            description=get("description"),
            quantity=quantity,
            unit=get("unit"),
            storage=_storage(get("storage"), where, profile),
            controlled_schedule=_schedule(get("controlled_schedule"), where),
        ),
        needed_by=_deadline(due, where, profile) if due else None,
        requires_signature=_flag(flag, where) if flag else False,
        instructions=get("instructions"),
    )


@dataclass(frozen=True, slots=True)
class _Where:
    """A row's location, built only when an error needs it."""

    header: Header
    line: int

    def at(self, column: str) -> str:
        return self.header.location(self.line, column)


def _quantity(text: str, where: _Where) -> Decimal:
    try:
        quantity = Decimal(text)
    except InvalidOperation:
        quantity = Decimal("NaN")
    if not quantity.is_finite() or quantity <= 0:
        raise InputError(
            "the quantity must be a number greater than 0",
            location=where.at("quantity"),
            code=MappingCode.INVALID_QUANTITY,
        )
    return quantity


def _birth_date(text: str, where: _Where) -> dt.date:
    us = _US_DATE.fullmatch(text)
    try:
        if us:
            return dt.date(int(us.group(3)), int(us.group(1)), int(us.group(2)))
        if _ISO_DATE.fullmatch(text):
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise InputError(
        "the birth date is not a valid date; expected YYYY-MM-DD or MM/DD/YYYY",
        location=where.at("birth_date"),
        code=MappingCode.INVALID_DATE,
    )


def _deadline(text: str, where: _Where, profile: CsvProfile) -> dt.datetime:
    """ISO 8601 with or without offset (local to the profile's zone), or a date alone meaning
    23:59:59 local that day, as the HL7 mapping reads ZDL-1."""
    zone = ZoneInfo(profile.timezone)
    try:
        if _ISO_DATE.fullmatch(text):
            day = dt.date.fromisoformat(text)
            return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=zone)
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InputError(
            "needed_by is not a valid date/time; expected ISO 8601 "
            "(YYYY-MM-DD[THH:MM[:SS]][±HH:MM])",
            location=where.at("needed_by"),
            code=MappingCode.INVALID_DATE,
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _storage(code: str | None, where: _Where, profile: CsvProfile) -> StorageClass | None:
    if code is None:
        return None  # unknown: intake asks the item master and the connector's default
    storage = profile.storage_lookup.get(code.casefold())
    if storage is None:
        allowed = ", ".join(sorted(profile.storage_codes))
        raise InputError(
            f"the storage code is unknown; expected one of {allowed}",
            location=where.at("storage"),
            code=MappingCode.UNKNOWN_CODE,
        )
    return storage


def _schedule(text: str | None, where: _Where) -> ControlledSchedule | None:
    try:
        return controlled_schedule(text)
    except ScheduleError as exc:
        raise InputError(
            str(exc), location=where.at("controlled_schedule"), code=MappingCode.INVALID_SCHEDULE
        ) from None


def _flag(text: str, where: _Where) -> bool:
    flag = _FLAGS.get(text.casefold())
    if flag is None:
        raise InputError(
            "requires_signature must be Y/N, true/false or 1/0",
            location=where.at("requires_signature"),
            code=MappingCode.INVALID_FLAG,
        )
    return flag
