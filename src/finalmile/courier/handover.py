"""Handing stops to their new drivers after a re-plan, in the transaction that stores it.

- A stop not visited yet that the new plan routes to another driver than the old plan did (or
  that no route of the old plan held: a new order, or one left out before) is given to its new
  driver, unless that driver carries it already.
- A stop the old plan routed that the new plan does not (its order was cancelled, or it is left
  unassigned) is taken back from whoever carries it; but a stop left unassigned that a driver on
  duty has picked up stays with that driver (the package is in its vehicle), and is reported.
- Visited stops (delivered, failed, or the one a driver has arrived at) and stops whose driver did
  not change keep their assignment, so a dispatcher's hand-made assignment of those stands.
- A stop a dispatcher assigned while the re-plan searched (its assignment is not the one the
  search started from) keeps that assignment whatever the new plan says: the dispatcher decided
  later, knowing more than the search did. It is reported as kept and audited (``kept``) on its
  driver.

Every change is audited on the driver like a manual one (``assigned`` / ``unassigned``, with the
new plan's id). A stop that cannot be given (no purchased courier shipment yet, its driver not
registered, an order id several connectors use) keeps its assignment and is reported.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from finalmile.courier import assignments
from finalmile.courier.assignments import Assignment
from finalmile.courier.driver_tables import Driver
from finalmile.courier.plan_tables import PlannedRoute, PlannedStop
from finalmile.shipments import Shipment


@dataclass(frozen=True, slots=True)
class Reassigned:
    """A stop given to ``driver_id`` (``previous``: who carried it, if anyone)."""

    order_id: str
    previous: str | None
    driver_id: str


@dataclass(frozen=True, slots=True)
class Released:
    """A stop taken back from ``driver_id`` because the new plan does not route it."""

    order_id: str
    driver_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class Kept:
    """A stop ``assigned_by`` gave ``driver_id`` while the re-plan searched: it stays with them,
    though the new plan routes it to ``planned`` (``None``: does not route it)."""

    order_id: str
    driver_id: str
    planned: str | None
    assigned_by: str


@dataclass(frozen=True, slots=True)
class Handover:
    """What a re-plan did to the drivers' stops, the stops it left with the driver a dispatcher
    gave them meanwhile, and the stops it could not hand over."""

    reassigned: tuple[Reassigned, ...] = ()
    released: tuple[Released, ...] = ()
    kept: tuple[Kept, ...] = ()
    problems: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """The JSON form (order and driver ids only)."""
        return {
            "reassigned": [
                {"order_id": r.order_id, "from": r.previous, "to": r.driver_id}
                for r in self.reassigned
            ],
            "released": [
                {"order_id": r.order_id, "from": r.driver_id, "reason": r.reason}
                for r in self.released
            ],
            "kept": [
                {
                    "order_id": k.order_id,
                    "with": k.driver_id,
                    "planned": k.planned,
                    "assigned_by": k.assigned_by,
                }
                for k in self.kept
            ],
            "problems": list(self.problems),
        }


CANCELLED = "cancelled"


def hand_over(
    session: Session,
    *,
    old_plan_id: int,
    new_plan_id: int,
    cancelled: Iterable[str],
    on_board: Mapping[str, str],
    searched: Collection[Assignment],
    actor: str,
) -> Handover:
    """Hand the stops of stored plan ``new_plan_id`` that changed driver since ``old_plan_id``
    to their new drivers, and take back the ones it no longer routes (see the module docstring).

    ``on_board`` maps the stops picked up and not visited to the driver on duty that has them;
    ``searched`` holds the day's assignments the search started from. The caller holds the locks
    of the day's courier shipments.
    """
    old, new = _routed(session, old_plan_id), _stops(session, new_plan_id)
    moves = {
        stop.order_id: driver_id
        for stop, driver_id in new.values()
        if driver_id is not None and stop.reported is None and old.get(stop.order_id) != driver_id
    }
    gone = set(cancelled)
    drops = {
        order_id: _why_dropped(new.get(order_id), order_id in gone)
        for order_id in old
        if new.get(order_id, (None, None))[1] is None
    }
    shipments: dict[str, list[Shipment]] = {}
    for shipment in assignments.courier_shipments(session, [*moves, *drops]):
        shipments.setdefault(shipment.order_id, []).append(shipment)
    now = assignments.assignments_of(session, (s for found in shipments.values() for s in found))
    kept = _keep(
        session,
        {**dict.fromkeys(drops), **moves},
        shipments,
        {pk: a for pk, a in now.items() if a not in searched},
        plan_id=new_plan_id,
        actor=actor,
    )
    stay = {k.order_id for k in kept}
    reassigned, problems = _give(
        session,
        {o: d for o, d in moves.items() if o not in stay},
        shipments,
        now,
        plan_id=new_plan_id,
        actor=actor,
    )
    released, on_board_kept = _take_back(
        session,
        {o: why for o, why in drops.items() if o not in stay},
        shipments,
        on_board,
        plan_id=new_plan_id,
        actor=actor,
    )
    return Handover(
        tuple(reassigned), tuple(released), tuple(kept), tuple(sorted(problems + on_board_kept))
    )


def _keep(
    session: Session,
    wanted: Mapping[str, str | None],
    shipments: Mapping[str, list[Shipment]],
    newer: Mapping[int, Assignment],
    *,
    plan_id: int,
    actor: str,
) -> list[Kept]:
    """The stops the new plan wants with another driver (``wanted``; ``None``: nobody) that were
    assigned since the search started (``newer``): they stay, audited on their driver."""
    kept: list[Kept] = []
    for order_id, planned in sorted(wanted.items()):
        for shipment in shipments.get(order_id, []):
            assert shipment.id is not None
            decided = newer.get(shipment.id)
            if decided is None or decided.driver_id == planned:
                continue
            assignments.audit_kept(
                session=session,
                shipment=shipment,
                driver_id=decided.driver_id,
                actor=actor,
                plan_id=plan_id,
                planned=planned,
                assigned_by=decided.assigned_by,
                assigned_at=decided.assigned_at.isoformat(),
            )
            kept.append(Kept(order_id, decided.driver_id, planned, decided.assigned_by))
    return kept


def _give(
    session: Session,
    moves: Mapping[str, str],
    shipments: Mapping[str, list[Shipment]],
    carriers: Mapping[int, Assignment],
    *,
    plan_id: int,
    actor: str,
) -> tuple[list[Reassigned], list[str]]:
    """Give each moved stop to its new driver: what changed, and the stops that could not."""
    registered = _drivers(session, moves.values())
    reassigned: list[Reassigned] = []
    problems: list[str] = []
    for order_id, driver_id in sorted(moves.items()):
        found = shipments.get(order_id, [])
        driver = registered.get(driver_id)
        if len(found) != 1 or driver is None:
            problems.append(f"{order_id}: {_why_not(found, driver_id, driver)}")
            continue
        (shipment,) = found
        assert shipment.id is not None
        carrier = carriers.get(shipment.id)
        if assignments.give(
            session=session, shipment=shipment, driver=driver, actor=actor, plan_id=plan_id
        ):
            previous = carrier.driver_id if carrier else None
            reassigned.append(Reassigned(order_id, previous, driver_id))
    return reassigned, problems


def _take_back(
    session: Session,
    drops: Mapping[str, str],
    shipments: Mapping[str, list[Shipment]],
    on_board: Mapping[str, str],
    *,
    plan_id: int,
    actor: str,
) -> tuple[list[Released], list[str]]:
    """Take each dropped stop back from its driver, unless it is on board and not cancelled:
    what was released, and the stops kept on board."""
    released: list[Released] = []
    kept: list[str] = []
    for order_id, reason in sorted(drops.items()):
        if reason != CANCELLED and order_id in on_board:
            keeper = on_board[order_id]
            kept.append(
                f"{order_id}: left unassigned ({reason}) but on board with {keeper};"
                f" it stays assigned to {keeper}"
            )
            continue
        for shipment in shipments.get(order_id, []):
            previous = assignments.take_back(
                session=session, shipment=shipment, actor=actor, plan_id=plan_id, reason=reason
            )
            if previous is not None:
                released.append(Released(order_id, previous, reason))
    return released, kept


def _stops(session: Session, plan_id: int) -> dict[str, tuple[PlannedStop, str | None]]:
    """Each stop of a plan with its route's driver (``None``: unassigned)."""
    rows = session.execute(
        select(PlannedStop, col(PlannedRoute.driver_id))
        .outerjoin(PlannedRoute, col(PlannedRoute.id) == col(PlannedStop.route_id))
        .where(col(PlannedStop.plan_id) == plan_id)
    )
    return {stop.order_id: (stop, driver_id) for stop, driver_id in rows}


def _routed(session: Session, plan_id: int) -> dict[str, str]:
    """Order id -> driver for the routed stops of a plan."""
    return {
        order_id: driver_id
        for order_id, (_, driver_id) in _stops(session, plan_id).items()
        if driver_id is not None
    }


def _drivers(session: Session, driver_ids: Iterable[str]) -> dict[str, Driver]:
    rows = session.scalars(select(Driver).where(col(Driver.driver_id).in_(set(driver_ids))))
    return {row.driver_id: row for row in rows}


def _why_dropped(now: tuple[PlannedStop, str | None] | None, cancelled: bool) -> str:
    if now is not None and now[0].unassigned_reason is not None:
        return now[0].unassigned_reason.value
    return CANCELLED if cancelled else "not planned"


def _why_not(found: list[Shipment], driver_id: str, driver: Driver | None) -> str:
    if not found:
        return "no purchased courier shipment to hand over"
    if len(found) > 1:
        return "several connectors use this order id; assign it with --connector"
    assert driver is None
    return f"no driver {driver_id!r} is registered (finalmile drivers create)"
