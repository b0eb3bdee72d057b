"""Temperature tables: each uploaded log (readings packed, the raw export encrypted) and every
evaluation of it. Append-only: a re-evaluation adds a row; the newest one is in force."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from finalmile.canonical import StorageClass
from finalmile.db_types import BigId, UtcDateTime, ValueEnum
from finalmile.evidence.temperature.evaluate import Verdict


class TemperatureLogRow(SQLModel, table=True):
    """One logger export for an order's package; the same file uploaded again is this row."""

    __tablename__ = "temperature_log"
    __table_args__ = (
        UniqueConstraint("order_pk", "raw_sha256", name="uq_temperature_log_file"),
        Index("ix_temperature_log_order_pk", "order_pk"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    order_pk: int = Field(
        sa_column=Column(
            BigId, ForeignKey("dispatch_order.id", ondelete="RESTRICT"), nullable=False
        )
    )
    package: str | None = Field(default=None, max_length=64, description="Package label, if any")
    layout: str = Field(max_length=32)
    logger_id: str | None = Field(default=None, max_length=64)
    interval_seconds: float
    first_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    last_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    reading_count: int
    readings: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    raw_sha256: str = Field(max_length=64)
    raw_encrypted: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    uploaded_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    uploaded_by: str = Field(max_length=100)


class TemperatureEvaluationRow(SQLModel, table=True):
    """A verdict on a log with its reasons, figures and the limits and window it was judged by."""

    __tablename__ = "temperature_evaluation"
    __table_args__ = (Index("ix_temperature_evaluation_log_id", "log_id"),)

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    log_id: int = Field(
        sa_column=Column(
            BigId, ForeignKey("temperature_log.id", ondelete="RESTRICT"), nullable=False
        )
    )
    order_pk: int = Field(sa_column=Column(BigId, nullable=False, index=True))
    storage: StorageClass = Field(sa_column=Column(ValueEnum(StorageClass), nullable=False))
    verdict: Verdict = Field(sa_column=Column(ValueEnum(Verdict), nullable=False))
    reasons: list[str] = Field(sa_column=Column(JSON, nullable=False))
    summary: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    limits: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    evaluated_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
