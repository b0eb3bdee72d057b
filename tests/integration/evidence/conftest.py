"""Evidence fixtures: an API key, stored synthetic orders, custody handoffs."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from finalmile.app import Services
from finalmile.auth.models import Scope
from finalmile.auth.service import create_key
from finalmile.orders.models import Order
from finalmile.orders.service import find_order
from finalmile.tracking.custody import CustodyKind, append
from finalmile_devtools.synthetic import order_id_for, rde_o11

#: The fixture trip (tests/fixtures/temperature): 08:00 to 12:00 at UTC-05:00.
EST = dt.timezone(dt.timedelta(hours=-5))


def store_order(
    services: Services, sequence: int, *, storage: str = "R", connector: str = "default"
) -> Order:
    """Store synthetic order ``sequence`` and return its row."""
    outcomes = services.intake.ingest_hl7([rde_o11(sequence, storage=storage)], connector=connector)
    assert all(o.error is None for o in outcomes)
    with services.sessions() as session:
        return find_order(session=session, order_id=order_id_for(sequence), connector=None)


def hand_off(services: Services, order: Order, kind: CustodyKind, at: dt.datetime) -> None:
    """Record a custody handoff for the order."""
    assert order.id is not None
    with services.sessions() as session, session.begin():
        append(session, order_pk=order.id, kind=kind, actor="driver:D-1", at=at)


@pytest.fixture
def app_services(client: TestClient) -> Services:
    services: Services = client.app.state.services
    return services


@pytest.fixture
def headers(app_services: Services) -> dict[str, str]:
    with app_services.sessions() as session, session.begin():
        token = create_key(session=session, name="evidence", scopes=[Scope.ADMIN]).token
    return {"X-API-Key": token}
