"""Column types shared by every table."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Integer, Numeric, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware datetime stored as UTC on every backend (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: finalmile stores timezone-aware times only")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    """The current time, timezone-aware, in UTC."""
    return dt.datetime.now(dt.UTC)


#: Primary/foreign key type: BIGINT on PostgreSQL, INTEGER (the rowid alias) on SQLite.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class ValueEnum(TypeDecorator[StrEnum]):
    """A StrEnum stored as its value in VARCHAR(``length``) (adding a member needs no type
    migration while its value fits)."""

    impl = String(16)
    cache_ok = True

    def __init__(self, enum: type[StrEnum], *, length: int = 16) -> None:
        super().__init__()
        self.enum = enum
        if length != self.impl.length:
            self.impl = String(length)

    def process_bind_param(self, value: StrEnum | str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> StrEnum | None:
        return None if value is None else self.enum(value)


class ExactDecimal(TypeDecorator[Decimal]):
    """A Decimal kept exact: NUMERIC on PostgreSQL, text on SQLite (which has no decimal type)."""

    impl = Numeric(14, 4)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(32))
        return dialect.type_descriptor(Numeric(14, 4))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return str(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)


def restricted_fk(table: str, *, primary_key: bool = False) -> Column[Any]:
    """A required ``BigId`` column referencing ``<table>.id`` that refuses deleting the parent
    (``ON DELETE RESTRICT``); with ``primary_key`` it is also this table's key."""
    foreign_key = ForeignKey(f"{table}.id", ondelete="RESTRICT")
    if primary_key:
        return Column(BigId, foreign_key, primary_key=True, autoincrement=False)
    return Column(BigId, foreign_key, nullable=False)
