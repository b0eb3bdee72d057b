"""Storing a re-plan: one transaction supersedes the old plan, stores the new one and hands the
stops that changed driver over (``handover.py``).

The search ran on what drivers had reported when it started. Driver updates go on meanwhile, so
the transaction first takes the old plan's row lock (two re-plans cannot both supersede it), then
the locks of the day's courier shipments (a driver update locks its shipment before it writes
anything: ``assignments.courier_shipments``), and only then reads the updates again. Every
update is therefore either read here or applied after this commits, against the new plan and
the new assignments. The updates that came during the search are taken in:

- a stop a driver visited meanwhile that the new plan routes to that same driver leaves its
  planned route and heads the driver's route as visited, with the report;
- a report (pick-up or visit) on a stop the new plan gives to another driver, leaves unassigned
  or drops is a conflict: nothing is stored, and ``RetriableError`` asks for the re-plan to run
  again (it then starts from that report).

A dispatcher's assignment locks its shipments in id order too
(``assignments.assign_orders``), so the assignments read under these locks include every
one committed during the search; the hand-over leaves those with the driver the dispatcher chose
and reports them as kept.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

from finalmile.courier.assignments import courier_shipments
from finalmile.courier.dayfile import load_day
from finalmile.courier.handover import Handover, hand_over
from finalmile.courier.plan_store import get_plan, save_plan
from finalmile.courier.planning import CourierPlanning
from finalmile.courier.progress import PICKED_UP, VISITED
from finalmile.courier.rest_of_day import (
    DriverReport,
    RestOfDay,
    day_reports,
    must_be_in_force,
    reported_rows,
    visits_of,
)
from finalmile.errors import RetriableError
from finalmile.routing import CheckReport, Plan, Route


@dataclass(frozen=True, slots=True)
class Replanned:
    """A stored re-plan: the new plan's id and what it did to the drivers' stops."""

    plan_id: int
    handover: Handover


def store_replan(
    planning: CourierPlanning,
    rest: RestOfDay,
    outcome: tuple[Plan, CheckReport],
    *,
    seconds: float,
    actor: str,
) -> Replanned:
    """Store the re-planned rest of the day as a plan superseding ``rest.plan_id`` and hand its
    stops over, in one transaction.

    Raises:
        ConflictError: the old plan was superseded meanwhile.
        RetriableError: a driver reported on a stop the new plan takes away from it.
    """
    result, report = outcome
    jobs = load_day(rest.day, source="day").on(rest.plan_date).jobs
    fixed = {r.order_id for reports in rest.visits.values() for r in reports}
    with planning.sessions() as session, session.begin():
        previous = get_plan(session, rest.plan_id, for_update=True)
        must_be_in_force(previous)
        courier_shipments(session, rest.order_ids, lock=True)
        rows = day_reports(session, drivers=rest.drivers, order_ids=rest.order_ids)
        late = [row for row in rows if row.update_id not in rest.seen]
        new_id = save_plan(
            session=session,
            plan_date=rest.plan_date,
            plan=take_in(result, late, fixed=fixed),
            report=report,
            jobs=jobs,
            budget_seconds=seconds,
            travel_source=rest.travel_source,
            day_encrypted=planning.vault.encrypt(rest.day.encode()),
            previous=previous,
            reported=reported_rows(session, plan_id=rest.plan_id, visits=visits_of(rows)),
        )
        handover = hand_over(
            session,
            old_plan_id=rest.plan_id,
            new_plan_id=new_id,
            cancelled=rest.cancelled,
            on_board=_on_board(rows, absent=rest.absent),
            searched=rest.assignments,
            actor=actor,
        )
    return Replanned(new_id, handover)


def _on_board(rows: Sequence[DriverReport], *, absent: Collection[str]) -> dict[str, str]:
    """Stop -> the driver on duty that picked it up, for stops not visited yet."""
    visited = {row.report.order_id for row in rows if row.report.kind in VISITED}
    return {
        row.report.order_id: row.driver_id
        for row in rows
        if row.report.kind == PICKED_UP
        and row.driver_id not in absent
        and row.report.order_id not in visited
    }


def take_in(plan: Plan, late: Sequence[DriverReport], *, fixed: Collection[str]) -> Plan:
    """``plan`` without the stops visited by their own new driver during the search (they head
    its route as visited); reports on ``fixed`` stops (visited before) change nothing.

    Raises:
        RetriableError: a report on a stop that ``plan`` does not keep with the reporting driver.
    """
    route_of = {v.stop_id: r.driver_id for r in plan.routes for v in r.visits}
    visited: set[str] = set()
    conflicts: list[str] = []
    for item in late:
        order_id, kind = item.report.order_id, item.report.kind
        if order_id in fixed and order_id not in route_of:
            continue
        now = route_of.get(order_id)
        if now == item.driver_id:
            if kind in VISITED:
                visited.add(order_id)
            continue
        where = f"gives it to {now}" if now else "does not route it"
        conflicts.append(f"{item.driver_id} reported {order_id} {kind} and the new plan {where}")
    if conflicts:
        raise RetriableError(
            "drivers reported during the re-plan: " + "; ".join(conflicts) + "; re-plan again"
        )
    if not visited:
        return plan
    return replace(plan, routes=tuple(_without(route, visited) for route in plan.routes))


def _without(route: Route, stop_ids: Collection[str]) -> Route:
    """``route`` without ``stop_ids``; each break stays on the leg before the same next visit."""
    kept = tuple(v for v in route.visits if v.stop_id not in stop_ids)
    if len(kept) == len(route.visits):
        return route
    gone_before = [0]
    for visit in route.visits:
        gone_before.append(gone_before[-1] + (visit.stop_id in stop_ids))
    breaks = tuple(
        replace(b, after_visits=b.after_visits - gone_before[b.after_visits]) for b in route.breaks
    )
    return replace(route, visits=kept, breaks=breaks)
