"""Which courier shipments (stops) each driver carries.

A stop is a purchased courier shipment, named by its shipment key; a driver sees and updates only
the stops assigned to them. Every change of assignment, by hand or by a re-plan
(``handover``), is audited on the driver.

Whoever changes an assignment holds the shipment's row lock: a dispatcher's assignment locks its
shipments in id order, as a re-plan storing its hand-over does, so the two cannot deadlock and
never write over each other unseen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement
from sqlmodel import col

from finalmile.courier.driver_tables import CourierAssignment, Driver
from finalmile.courier.drivers import audit_driver, get_driver
from finalmile.courier.plan_tables import PlannedRoute, PlannedStop
from finalmile.db_types import utcnow
from finalmile.errors import InputError, NotFoundError
from finalmile.orders import find_order
from finalmile.shipments import Shipment, ShipmentState

COURIER = "courier"
"""The carrier type of a courier shipment (the stops drivers carry)."""


def assign_orders(
    *,
    session: Session,
    driver_id: str,
    order_ids: Sequence[str],
    connector: str | None,
    actor: str,
) -> list[Shipment]:
    """Give the orders' purchased courier shipments to a driver (re-assigning them if needed).

    The shipments are locked first, in id order like a re-plan locks them, and each assignment is
    read and written under its lock: a re-plan storing meanwhile has either committed (this
    decision then replaces its hand-over) or waits and keeps this one (``handover``).

    Raises:
        NotFoundError: no such driver or order.
        InputError: an order has no purchased courier shipment.
    """
    driver = get_driver(session=session, driver_id=driver_id)
    orders = [find_order(session=session, order_id=o, connector=connector) for o in order_ids]
    found: dict[int, Shipment] = {}
    for row in session.scalars(
        _courier(col(Shipment.order_pk).in_({o.id for o in orders})).with_for_update()
    ):
        found.setdefault(row.order_pk, row)
    shipments = []
    for order in orders:
        assert order.id is not None
        shipment = found.get(order.id)
        if shipment is None:
            raise InputError(
                f"order {order.order_id!r} has no purchased courier shipment", location="order_id"
            )
        give(session=session, shipment=shipment, driver=driver, actor=actor)
        shipments.append(shipment)
    return shipments


def assign_order(
    *, session: Session, driver_id: str, order_id: str, connector: str | None, actor: str
) -> Shipment:
    """Give one order's purchased courier shipment to a driver (``assign_orders``)."""
    (shipment,) = assign_orders(
        session=session,
        driver_id=driver_id,
        order_ids=[order_id],
        connector=connector,
        actor=actor,
    )
    return shipment


def give(
    *, session: Session, shipment: Shipment, driver: Driver, actor: str, **detail: object
) -> bool:
    """Make ``driver`` the carrier of ``shipment``, audited on the driver with the ``previous``
    one (``detail`` added to the audit row); False when it carried it already. The caller holds
    the shipment's row lock."""
    assert shipment.id is not None and driver.id is not None
    # Read again: the row may have changed while the caller waited for the lock.
    assignment = session.get(CourierAssignment, shipment.id, populate_existing=True)
    if assignment is not None and assignment.driver_pk == driver.id:
        return False
    previous = None
    if assignment is None:
        assignment = CourierAssignment(
            shipment_pk=shipment.id, driver_pk=driver.id, assigned_at=utcnow(), assigned_by=actor
        )
    else:
        previous = _driver_id(session, assignment.driver_pk)
        assignment.driver_pk, assignment.assigned_at = driver.id, utcnow()
        assignment.assigned_by = actor
    session.add(assignment)
    audit_driver(
        session,
        driver.driver_id,
        "assigned",
        actor,
        order_id=shipment.order_id,
        shipment=shipment.key,
        previous=previous,
        **detail,
    )
    session.flush()
    return True


def take_back(*, session: Session, shipment: Shipment, actor: str, **detail: object) -> str | None:
    """Leave ``shipment`` with no driver, audited on the driver who had it; returns that driver's
    id (``None`` when nobody carried it). The caller holds the shipment's row lock."""
    assert shipment.id is not None
    assignment = session.get(CourierAssignment, shipment.id, populate_existing=True)
    if assignment is None:
        return None
    driver_id = _driver_id(session, assignment.driver_pk)
    session.delete(assignment)
    audit_driver(
        session,
        driver_id,
        "unassigned",
        actor,
        order_id=shipment.order_id,
        shipment=shipment.key,
        **detail,
    )
    session.flush()
    return driver_id


def audit_kept(
    *, session: Session, shipment: Shipment, driver_id: str, actor: str, **detail: object
) -> None:
    """Record on the driver that ``shipment`` stays with them although a re-plan routes it
    elsewhere (``detail`` says why)."""
    audit_driver(
        session,
        driver_id,
        "kept",
        actor,
        order_id=shipment.order_id,
        shipment=shipment.key,
        **detail,
    )


@dataclass(frozen=True, slots=True)
class Assignment:
    """Who carries a courier shipment, and the decision that gave it to them (when, by whom):
    two reads of the same assignment are equal only if nobody assigned the stop in between."""

    shipment_pk: int
    driver_id: str
    assigned_at: dt.datetime
    assigned_by: str


def assignments_of(session: Session, shipments: Iterable[Shipment]) -> dict[int, Assignment]:
    """Shipment id -> its assignment, for the shipments someone carries."""
    ids = [s.id for s in shipments]
    rows = session.execute(
        select(
            col(CourierAssignment.shipment_pk),
            col(Driver.driver_id),
            col(CourierAssignment.assigned_at),
            col(CourierAssignment.assigned_by),
        )
        .join(Driver, col(Driver.id) == col(CourierAssignment.driver_pk))
        .where(col(CourierAssignment.shipment_pk).in_(ids))
    )
    return {
        int(pk): Assignment(int(pk), str(driver_id), at, str(by)) for pk, driver_id, at, by in rows
    }


def _driver_id(session: Session, driver_pk: int) -> str:
    driver = session.get(Driver, driver_pk)
    assert driver is not None
    return driver.driver_id


def _courier(where: ColumnElement[bool]) -> Select[Shipment]:
    """The purchased courier shipments matching ``where``, in id order (the lock order)."""
    return (
        select(Shipment)
        .where(
            where,
            col(Shipment.state) == ShipmentState.PURCHASED.value,
            col(Shipment.carrier_type) == COURIER,
        )
        .order_by(col(Shipment.id))
    )


def courier_shipments(
    session: Session, order_ids: Iterable[str], *, lock: bool = False
) -> list[Shipment]:
    """The purchased courier shipments of ``order_ids`` in id order; ``lock``: locked for this
    transaction.

    A driver update locks its shipment before anything else and checks its assignment after
    (``must_still_carry``), and a dispatcher's assignment locks its shipments in id order before
    it reads theirs (``assign_orders``), so a transaction holding these locks has seen every
    update and assignment on them committed before, and none on them starts until it ends.
    """
    statement = _courier(col(Shipment.order_id).in_(set(order_ids)))
    return list(session.scalars(statement.with_for_update() if lock else statement))


def assign_plan(*, session: Session, plan_id: int, actor: str) -> tuple[int, list[str]]:
    """Assign every routed stop of a stored route plan to its route's driver.

    Returns how many stops were assigned and one problem line per stop that could not be. The
    stops' shipments are locked first, in id order (``assign_orders``).
    """
    routes = session.scalars(select(PlannedRoute).where(col(PlannedRoute.plan_id) == plan_id))
    drivers = {route.id: route.driver_id for route in routes}
    if not drivers:
        raise NotFoundError(f"route plan {plan_id} has no routes")
    stops = list(
        session.scalars(
            select(PlannedStop)
            .where(col(PlannedStop.plan_id) == plan_id, col(PlannedStop.route_id).is_not(None))
            .order_by(col(PlannedStop.route_id), col(PlannedStop.sequence))
        )
    )
    courier_shipments(session, [stop.order_id for stop in stops], lock=True)
    assigned, problems = 0, []
    for stop in stops:
        driver_id = drivers[stop.route_id]
        try:
            assign_order(
                session=session,
                driver_id=driver_id,
                order_id=stop.order_id,
                connector=None,
                actor=actor,
            )
        except (NotFoundError, InputError) as exc:
            problems.append(f"{stop.order_id}: {exc}")
            continue
        assigned += 1
    return assigned, problems
