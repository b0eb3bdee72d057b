"""Stored plans: one row per plan, per route and per stop (planned with ETAs, or left out with the
reason). Stops are referenced by order id; the day a plan was made from (which holds the orders'
addresses and instructions for the manifests) is kept only encrypted, in ``day_encrypted``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    UniqueConstraint,
    false,
)
from sqlmodel import Field, SQLModel

from finalmile.db_types import BigId, UtcDateTime, ValueEnum
from finalmile.routing import UnassignedReason


class RoutePlan(SQLModel, table=True):
    """One planning run for a day; the newest for a date is the one in force.

    A re-plan names the plan it replaced in ``previous_plan_id``, and that plan gets
    ``superseded_at``. ``day_encrypted`` is the day-file JSON the plan was made from (vault
    encrypted; ``None`` for plans stored before it was kept). ``travel_source`` names where its
    travel times came from (``routing.travel``); its re-plans and ETA updates use the same.
    """

    __tablename__ = "route_plan"
    __table_args__ = (Index("ix_route_plan_plan_date", "plan_date"),)

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    plan_date: dt.date = Field(sa_column=Column(Date, nullable=False))
    created_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    objective: int = Field(sa_column=Column(BigInteger, nullable=False))
    distance_m: int = Field(sa_column=Column(BigInteger, nullable=False))
    feasible: bool
    budget_seconds: float
    day_encrypted: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    previous_plan_id: int | None = Field(
        default=None,
        sa_column=Column(
            BigId,
            ForeignKey("route_plan.id", name="fk_route_plan_previous_plan_id"),
            nullable=True,
        ),
    )
    superseded_at: dt.datetime | None = Field(default=None, sa_column=Column(UtcDateTime))
    travel_source: str = Field(
        default="haversine",
        sa_column=Column(String(300), nullable=False, server_default="haversine"),
    )


class PlannedRoute(SQLModel, table=True):
    """One driver's route in a plan; ``breaks`` is a list of ``{"from", "to"}`` ISO times."""

    __tablename__ = "route_plan_route"

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    plan_id: int = Field(
        sa_column=Column(
            BigId, ForeignKey("route_plan.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    driver_id: str = Field(max_length=64)
    departure: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    return_time: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    distance_m: int = Field(sa_column=Column(BigInteger, nullable=False))
    breaks: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))


class PlannedStop(SQLModel, table=True):
    """A stop of a plan: on a route with its times and ETA window, or unassigned with a reason.

    ``reported`` is the driver's last report for the stop (``arrived``, ``delivered``,
    ``attempt_failed``) at ``reported_at``; ``eta_updated_at`` is when the ETA window was last
    re-timed from a report, and ``late`` whether the stop can no longer be reached in a window.
    """

    __tablename__ = "route_plan_stop"
    __table_args__ = (
        UniqueConstraint("plan_id", "order_id", name="uq_route_plan_stop_order"),
        Index("ix_route_plan_stop_order_id", "order_id"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    plan_id: int = Field(
        sa_column=Column(BigId, ForeignKey("route_plan.id", ondelete="CASCADE"), nullable=False)
    )
    route_id: int | None = Field(
        default=None,
        sa_column=Column(
            BigId, ForeignKey("route_plan_route.id", ondelete="CASCADE"), nullable=True, index=True
        ),
    )
    order_id: str = Field(max_length=100)
    sequence: int | None = None
    arrival: dt.datetime | None = Field(default=None, sa_column=Column(UtcDateTime))
    service_start: dt.datetime | None = Field(default=None, sa_column=Column(UtcDateTime))
    eta_from: dt.datetime | None = Field(default=None, sa_column=Column(UtcDateTime))
    eta_to: dt.datetime | None = Field(default=None, sa_column=Column(UtcDateTime))
    unassigned_reason: UnassignedReason | None = Field(
        default=None, sa_column=Column(ValueEnum(UnassignedReason), nullable=True)
    )
    late: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false())
    )
    eta_updated_at: dt.datetime | None = Field(default=None, sa_column=Column(UtcDateTime))
    reported: str | None = Field(default=None, sa_column=Column(String(16), nullable=True))
    reported_at: dt.datetime | None = Field(default=None, sa_column=Column(UtcDateTime))
