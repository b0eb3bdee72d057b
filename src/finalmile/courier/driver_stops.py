"""A driver's stops: the purchased courier shipments assigned to them, one stop by its key, and
the check, under the shipment's row lock, that the driver still carries it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from finalmile.courier.driver_tables import CourierAssignment, Driver
from finalmile.errors import NotFoundError
from finalmile.shipments import Shipment, ShipmentState


def stops_of(*, session: Session, driver: Driver) -> list[Shipment]:
    """The purchased shipments assigned to ``driver``, oldest first."""
    statement = (
        select(Shipment)
        .join(CourierAssignment, col(CourierAssignment.shipment_pk) == col(Shipment.id))
        .where(
            col(CourierAssignment.driver_pk) == driver.id,
            col(Shipment.state) == ShipmentState.PURCHASED.value,
        )
        .order_by(col(Shipment.id))
    )
    return list(session.scalars(statement))


def stop_for(*, session: Session, driver: Driver, stop: str) -> Shipment:
    """The stop (shipment key) if it is assigned to ``driver``.

    Raises:
        NotFoundError: no such stop for this driver (another driver's stop looks the same).
    """
    statement = (
        select(Shipment)
        .join(CourierAssignment, col(CourierAssignment.shipment_pk) == col(Shipment.id))
        .where(
            col(Shipment.key) == stop,
            col(CourierAssignment.driver_pk) == driver.id,
            col(Shipment.state) == ShipmentState.PURCHASED.value,
        )
    )
    shipment = session.scalars(statement).first()
    if shipment is None:
        raise _not_yours(stop)
    return shipment


def must_still_carry(*, session: Session, driver: Driver, shipment: Shipment) -> None:
    """Check, once the shipment row is locked, that ``driver`` still carries it: a re-plan may have
    handed it to another driver while the caller waited for the lock.

    Raises:
        NotFoundError: it is no longer this driver's stop.
    """
    carrier = session.scalar(
        select(col(CourierAssignment.driver_pk)).where(
            col(CourierAssignment.shipment_pk) == shipment.id
        )
    )
    if carrier != driver.id:
        raise _not_yours(shipment.key)


def _not_yours(stop: str) -> NotFoundError:
    return NotFoundError(f"no stop {stop!r} is assigned to you")
