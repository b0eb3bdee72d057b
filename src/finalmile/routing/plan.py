"""A day's plan: one route per working driver, and the stops left out with a reason."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class UnassignedReason(StrEnum):
    """Why a stop is not on any route, in words a dispatcher can act on."""

    NO_ELIGIBLE_DRIVER = "no_eligible_driver"
    """No driver has the skills, cooler room or start site the stop needs."""
    UNREACHABLE = "unreachable"
    """No eligible driver can reach it inside a window, the cold-chain limit and the shift."""
    DEFERRED = "deferred"
    """Deferrable, and serving it today costs more than its deferral penalty."""
    NO_ROOM = "no_room"
    """Reachable on its own, but no route had room left for it in time or capacity."""
    NO_LOCATION = "no_location"
    """The ship-to address has no point to drive to (its ZIP code is unknown)."""


@dataclass(frozen=True, slots=True)
class Visit:
    """A planned stop: arrival, service start (the handover) and departure."""

    stop_id: str
    arrival: dt.datetime
    service_start: dt.datetime
    departure: dt.datetime


@dataclass(frozen=True, slots=True)
class ScheduledBreak:
    """A break on the leg after ``after_visits`` visits (0: from the depot), parked or en route."""

    after_visits: int
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True, slots=True)
class Route:
    """One driver's day: leave the start site, visit in order, return to the end site."""

    driver_id: str
    departure: dt.datetime
    visits: tuple[Visit, ...]
    breaks: tuple[ScheduledBreak, ...]
    return_time: dt.datetime
    distance_m: int


@dataclass(frozen=True, slots=True)
class Unassigned:
    """A stop left out of the plan, with the reason."""

    stop_id: str
    reason: UnassignedReason


@dataclass(frozen=True, slots=True)
class Plan:
    """The routes and the unassigned stops; ``objective`` is distance plus deferral penalties."""

    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...]
    objective: int


def with_unplaced(plan: Plan, order_ids: tuple[str, ...]) -> Plan:
    """``plan`` with the jobs that had no location added as unassigned (objective unchanged)."""
    extra = tuple(Unassigned(order_id, UnassignedReason.NO_LOCATION) for order_id in order_ids)
    return Plan(plan.routes, plan.unassigned + extra, plan.objective)
