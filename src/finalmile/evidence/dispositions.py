"""A pharmacist's disposition of a temperature excursion: release, quarantine, or destroy and
reship.

The disposition judges the verdict in force when it was made (``evaluation_id``, the newest
evaluation of the order's logs). The pharmacist's note is free text and may name the patient, so
it is stored encrypted by the vault; the order's history carries only its SHA-256 and length.
A ``release`` is the pharmacist accepting the excursion: billing that waits for a temperature
pass counts it as one (``excursion_released``) until a newer evaluation is stored.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Column, LargeBinary, func, select
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel, col

from finalmile.db_types import BigId, UtcDateTime, ValueEnum, restricted_fk
from finalmile.evidence.temperature.models import TemperatureEvaluationRow


class Disposition(StrEnum):
    """What the pharmacist decided about a package that left its temperature limits."""

    RELEASE = "release"
    QUARANTINE = "quarantine"
    DESTROY_RESHIP = "destroy_reship"


class ExcursionDisposition(SQLModel, table=True):
    """One disposition of an order's excursion (append-only; the newest one stands)."""

    __tablename__ = "excursion_disposition"

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    order_pk: int = Field(sa_column=restricted_fk("dispatch_order"))
    evaluation_id: int = Field(sa_column=restricted_fk("temperature_evaluation"))
    disposition: Disposition = Field(sa_column=Column(ValueEnum(Disposition), nullable=False))
    note_encrypted: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    actor: str = Field(max_length=100)
    role: str = Field(max_length=16)
    decided_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


def newest_evaluation_id(session: Session, order_pk: int) -> int | None:
    """The id of the order's newest temperature evaluation, if any."""
    return session.scalar(
        select(func.max(TemperatureEvaluationRow.id)).where(
            col(TemperatureEvaluationRow.order_pk) == order_pk
        )
    )


def newest_disposition(session: Session, order_pk: int) -> ExcursionDisposition | None:
    """The order's disposition in force, if any."""
    return session.scalars(
        select(ExcursionDisposition)
        .where(col(ExcursionDisposition.order_pk) == order_pk)
        .order_by(col(ExcursionDisposition.id).desc())
        .limit(1)
    ).first()


def excursion_released(session: Session, order_pk: int) -> bool:
    """Whether a pharmacist released the order's excursion and no log was evaluated since."""
    found = newest_disposition(session, order_pk)
    if found is None or found.disposition is not Disposition.RELEASE:
        return False
    return found.evaluation_id == newest_evaluation_id(session, order_pk)
