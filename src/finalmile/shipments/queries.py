"""Reads of shipments: by key and order, the ones recovery must finish, labels to fetch."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from finalmile.db_types import utcnow
from finalmile.shipments.models import (
    LIVE_STATES,
    UNFINISHED_STATES,
    Shipment,
    ShipmentLabel,
    ShipmentState,
)


class ShipmentQueries:
    """Read-only queries, each in its own short session."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def label(self, shipment_pk: int) -> ShipmentLabel | None:
        """The stored label of a shipment, if any."""
        with self.sessions() as session:
            return session.get(ShipmentLabel, shipment_pk)

    def get(self, shipment_pk: int) -> Shipment | None:
        """One shipment by primary key."""
        with self.sessions() as session:
            return session.get(Shipment, shipment_pk)

    def live_for_order(self, order_pk: int) -> Shipment | None:
        """The order's live shipment, if it has one."""
        with self.sessions() as session:
            return session.scalars(
                select(Shipment).where(
                    col(Shipment.order_pk) == order_pk,
                    col(Shipment.state).in_([s.value for s in LIVE_STATES]),
                )
            ).first()

    def for_order(self, order_pk: int) -> list[Shipment]:
        """Every shipment of an order, oldest first."""
        with self.sessions() as session:
            statement = select(Shipment).where(col(Shipment.order_pk) == order_pk)
            return list(session.scalars(statement.order_by(col(Shipment.id))))

    def unfinished(self) -> list[int]:
        """Shipments left short of a final state whose lease is free or expired."""
        now = utcnow()
        with self.sessions() as session:
            statement = select(col(Shipment.id)).where(
                col(Shipment.state).in_([s.value for s in UNFINISHED_STATES]),
                or_(col(Shipment.lease_until).is_(None), col(Shipment.lease_until) < now),
            )
            return list(session.scalars(statement.order_by(col(Shipment.id))))

    def missing_labels(self) -> list[int]:
        """Purchased shipments whose label file is not stored yet."""
        with self.sessions() as session:
            statement = (
                select(col(Shipment.id))
                .outerjoin(ShipmentLabel, col(ShipmentLabel.shipment_pk) == col(Shipment.id))
                .where(
                    col(Shipment.state) == ShipmentState.PURCHASED.value,
                    col(Shipment.label_url).is_not(None),
                    col(ShipmentLabel.shipment_pk).is_(None),
                )
            )
            return list(session.scalars(statement.order_by(col(Shipment.id))))
