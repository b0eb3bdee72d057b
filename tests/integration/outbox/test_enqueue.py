"""Enqueue writes in the caller's transaction and is idempotent on its key."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from finalmile.app import Services
from finalmile.db import transaction
from finalmile.outbox import OutboxEvent, OutboxStatus, enqueue

SHIPPED = {
    "order_id": "RX-1",
    "order_pk": 1,
    "carrier": "UPS",
    "service": "Ground",
    "tracking_number": "1Z999",
    "shipped_at": "2026-11-22T15:04:00+00:00",
}


def _count(services: Services) -> int:
    with services.sessions() as session:
        return session.scalar(select(func.count()).select_from(OutboxEvent)) or 0


def test_enqueue_is_idempotent_on_key(services: Services) -> None:
    with transaction(services.sessions) as session:
        first = enqueue(session, topic="order.shipped", key="k1", connector="c", payload=SHIPPED)
        again = enqueue(session, topic="order.shipped", key="k1", connector="c", payload=SHIPPED)
    with transaction(services.sessions) as session:
        later = enqueue(session, topic="order.shipped", key="k1", connector="c", payload=SHIPPED)
    assert (first, again, later) == (True, False, False)
    with services.sessions() as session:
        row = session.scalars(select(OutboxEvent)).one()
    assert row.status is OutboxStatus.PENDING
    assert row.order_id == "RX-1"
    assert row.payload["tracking_number"] == "1Z999"


def test_enqueue_rolls_back_with_the_callers_transaction(services: Services) -> None:
    with pytest.raises(RuntimeError), transaction(services.sessions) as session:
        enqueue(session, topic="order.shipped", key="k2", connector="c", payload=SHIPPED)
        raise RuntimeError("the state change failed")
    assert _count(services) == 0


def test_enqueue_accepts_a_connection(services: Services) -> None:
    with services.engine.begin() as connection:
        assert enqueue(connection, topic="order.shipped", key="k3", connector="c", payload=SHIPPED)
    assert _count(services) == 1


def test_enqueue_refuses_unknown_topics_and_bad_payloads(services: Services) -> None:
    with transaction(services.sessions) as session:
        with pytest.raises(ValueError, match="unknown outbox topic"):
            enqueue(session, topic="order.lost", key="k4", connector="c", payload=SHIPPED)
        with pytest.raises(ValueError, match="tracking_number"):
            bad = {k: v for k, v in SHIPPED.items() if k != "tracking_number"}
            enqueue(session, topic="order.shipped", key="k5", connector="c", payload=bad)
