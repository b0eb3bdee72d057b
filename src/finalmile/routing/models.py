"""Stored plans: one row per plan, per route and per stop (planned with ETAs, or left out with the
reason). No patient data: stops are referenced by order id."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Date, ForeignKey, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from finalmile.db_types import BigId, UtcDateTime, ValueEnum
from finalmile.routing.plan import UnassignedReason


class RoutePlan(SQLModel, table=True):
    """One planning run for a day; the newest for a date is the one in force."""

    __tablename__ = "route_plan"
    __table_args__ = (Index("ix_route_plan_plan_date", "plan_date"),)

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    plan_date: dt.date = Field(sa_column=Column(Date, nullable=False))
    created_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    objective: int = Field(sa_column=Column(BigInteger, nullable=False))
    distance_m: int = Field(sa_column=Column(BigInteger, nullable=False))
    feasible: bool
    budget_seconds: float


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
    """A stop of a plan: on a route with its times and ETA window, or unassigned with a reason."""

    __tablename__ = "route_plan_stop"
    __table_args__ = (UniqueConstraint("plan_id", "order_id", name="uq_route_plan_stop_order"),)

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
