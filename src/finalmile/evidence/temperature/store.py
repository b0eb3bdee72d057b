"""Read stored logs and verdicts; the one answer billing needs is ``temperature_verdict``."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from finalmile.evidence.temperature.evaluate import Verdict
from finalmile.evidence.temperature.models import TemperatureEvaluationRow, TemperatureLogRow


def logs_of(session: Session, order_pk: int) -> list[TemperatureLogRow]:
    """Every log uploaded for the order, oldest first."""
    statement = (
        select(TemperatureLogRow)
        .where(col(TemperatureLogRow.order_pk) == order_pk)
        .order_by(col(TemperatureLogRow.id))
    )
    return list(session.scalars(statement))


def latest_evaluations(session: Session, order_pk: int) -> dict[int, TemperatureEvaluationRow]:
    """The evaluation in force (the newest) of each of the order's logs, by log id."""
    newest = (
        select(func.max(TemperatureEvaluationRow.id))
        .where(col(TemperatureEvaluationRow.order_pk) == order_pk)
        .group_by(col(TemperatureEvaluationRow.log_id))
    )
    rows = session.scalars(
        select(TemperatureEvaluationRow).where(col(TemperatureEvaluationRow.id).in_(newest))
    )
    return {row.log_id: row for row in rows}


def combine(verdicts: Sequence[Verdict]) -> Verdict | None:
    """One verdict for several packages: any excursion, else any incomplete, else pass."""
    if not verdicts:
        return None
    for worst in (Verdict.EXCURSION, Verdict.INCOMPLETE):
        if worst in verdicts:
            return worst
    return Verdict.PASS


def temperature_verdict(session: Session, order_pk: int) -> Verdict | None:
    """Whether the order's temperature record passed: None when no log was uploaded.

    With several logs (one per package) the worst verdict counts. Only ``Verdict.PASS`` means
    every package stayed within its limits for the whole record with no missing readings.
    """
    return combine([row.verdict for row in latest_evaluations(session, order_pk).values()])


def verdicts_of(session: Session, order_pks: Sequence[int]) -> dict[int, Verdict]:
    """``temperature_verdict`` of many orders at once, by order pk (orders without a log are
    absent); for reports."""
    newest = (
        select(func.max(TemperatureEvaluationRow.id))
        .where(col(TemperatureEvaluationRow.order_pk).in_(order_pks))
        .group_by(col(TemperatureEvaluationRow.log_id))
    )
    found: dict[int, list[Verdict]] = {}
    rows = session.execute(
        select(col(TemperatureEvaluationRow.order_pk), col(TemperatureEvaluationRow.verdict)).where(
            col(TemperatureEvaluationRow.id).in_(newest)
        )
    )
    for order_pk, verdict in rows:
        found.setdefault(order_pk, []).append(verdict)
    return {pk: v for pk, verdicts in found.items() if (v := combine(verdicts)) is not None}
