"""A pharmacist's disposition of a temperature excursion: release lets billing go ahead,
quarantine keeps it blocked and records the return, destroy_reship (or quarantine then reship)
sends the order again; each recorded in the order's history without the note."""

from __future__ import annotations

import hashlib

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import col

from finalmile.app import Services
from finalmile.audit import history
from finalmile.auth import Role, Scope
from finalmile.auth.service import create_key
from finalmile.evidence import ExcursionDisposition
from finalmile.exceptions import ExceptionKind, OrderException
from finalmile.orders import Order
from finalmile.shipments import Shipment, ShipmentState
from finalmile.tracking import chain
from tests.conftest import read_fixture
from tests.integration.evidence.test_delivered_order import (
    confirmations,
    courier_client,
    deliver,
    headers,
)

__all__ = ["courier_client", "headers"]  # fixtures used here
NOTE = "Pharmacist reviewed the logger trace for Alex Testpatient; product warm for 3 h."


def _key(client: TestClient, role: Role) -> dict[str, str]:
    services: Services = client.app.state.services
    with services.sessions() as session, session.begin():
        issued = create_key(
            session=session, name=role.value, scopes=[Scope.ORDERS_WRITE], roles=[role]
        )
    return {"X-API-Key": issued.token}


def _warm(client: TestClient, headers: dict[str, str], order: Order) -> None:
    lines = read_fixture("temperature", "generic_celsius.csv").decode().splitlines()
    too_warm = "\n".join([lines[0], *(f"{line.split(',')[0]},9.5" for line in lines[1:])])
    response = client.post(
        f"/orders/{order.order_id}/temperature-logs",
        files={"file": ("warm.csv", too_warm.encode())},
        headers=headers,
    )
    assert response.json()["verdict"] == "excursion"


def _order(client: TestClient, order: Order) -> Order:
    services: Services = client.app.state.services
    with services.sessions() as session:
        found = session.get(Order, order.id)
        assert found is not None
        return found


def _actions(client: TestClient, order: Order) -> list[tuple[str, str | None, str | None]]:
    services: Services = client.app.state.services
    with services.sessions() as session:
        events = history(session, entity="order", entity_id=order.id or 0)
    return [(e.action, e.from_status, e.to_status) for e in events if e.action != "created"]


def _exception(services: Services, order: Order, kind: ExceptionKind) -> OrderException:
    """The order's newest exception of ``kind``."""
    with services.sessions() as session:
        return session.scalars(
            select(OrderException)
            .where(col(OrderException.order_pk) == order.id, col(OrderException.kind) == kind.value)
            .order_by(col(OrderException.id).desc())
        ).first() or pytest.fail(f"no {kind.value} exception")


def test_release_lets_billing_that_waits_for_a_pass_go_ahead(
    courier_client: TestClient, headers: dict[str, str]
) -> None:
    order = deliver(courier_client, 61, connector="strict")
    _warm(courier_client, headers, order)
    assert confirmations(courier_client, order) == 0
    dispatcher = _key(courier_client, Role.DISPATCHER)
    pharmacist = _key(courier_client, Role.PHARMACIST)
    url = f"/orders/{order.order_id}/excursion/disposition"
    body = {"disposition": "release", "note": NOTE}

    refused = courier_client.post(url, json=body, headers=dispatcher)
    released = courier_client.post(url, json=body, headers=pharmacist)

    assert refused.status_code == 403 and "pharmacist" in refused.json()["error"]["message"]
    assert released.status_code == 200, released.text
    assert released.json() == {
        "order_id": order.order_id,
        "disposition": "release",
        "status": "delivered",
        "reship": None,
    }
    assert confirmations(courier_client, order) == 1
    assert _order(courier_client, order).billing_status.value == "confirmed"
    services: Services = courier_client.app.state.services
    with services.sessions() as session:
        events = history(session, entity="order", entity_id=order.id or 0)
        stored = session.scalars(select(ExcursionDisposition)).one()
    (entry,) = [e for e in events if e.action == "disposition"]
    assert entry.actor.startswith("key:") and entry.detail["role"] == "pharmacist"
    assert entry.detail["disposition"] == "release"
    assert entry.detail["note_sha256"] == hashlib.sha256(NOTE.encode()).hexdigest()
    assert "Testpatient" not in str(entry.detail)
    assert NOTE.encode() not in stored.note_encrypted
    assert services.vault.decrypt(stored.note_encrypted).decode() == NOTE


def test_a_disposition_needs_an_excursion(
    courier_client: TestClient, headers: dict[str, str]
) -> None:
    order = deliver(courier_client, 62, connector="strict")
    url = f"/orders/{order.order_id}/excursion/disposition"
    body = {"disposition": "quarantine", "note": "n"}
    pharmacist = _key(courier_client, Role.PHARMACIST)

    none = courier_client.post(url, json=body, headers=pharmacist)
    courier_client.post(
        f"/orders/{order.order_id}/temperature-logs",
        files={"file": ("ok.csv", read_fixture("temperature", "generic_celsius.csv"))},
        headers=headers,
    )
    passed = courier_client.post(url, json=body, headers=pharmacist)

    assert none.status_code == passed.status_code == 409
    assert none.json()["error"]["code"] == "no_excursion"
    assert "is none" in none.json()["error"]["message"]
    assert "is pass" in passed.json()["error"]["message"]


def test_quarantine_keeps_billing_blocked_then_reship_sends_the_order_again(
    courier_client: TestClient, headers: dict[str, str]
) -> None:
    order = deliver(courier_client, 63, connector="strict")
    _warm(courier_client, headers, order)
    services: Services = courier_client.app.state.services
    services.exceptions.refresh()
    excursion = _exception(services, order, ExceptionKind.EXCURSION)
    assert excursion.resolved_at is None and "excursion" in excursion.reason
    pharmacist = _key(courier_client, Role.PHARMACIST)
    dispatcher = _key(courier_client, Role.DISPATCHER)
    early = courier_client.post(
        f"/orders/{order.order_id}/reship", json={"reason": "too warm"}, headers=dispatcher
    )

    quarantined = courier_client.post(
        f"/orders/{order.order_id}/excursion/disposition",
        json={"disposition": "quarantine", "note": NOTE},
        headers=pharmacist,
    )
    reshipped = courier_client.post(
        f"/orders/{order.order_id}/reship",
        json={"reason": "replacement for the quarantined package"},
        headers=dispatcher,
    )

    assert early.status_code == 409 and early.json()["error"]["code"] == "wrong_status"
    assert "delivered" in early.json()["error"]["message"]
    assert quarantined.json()["status"] == "delivered"
    assert reshipped.status_code == 200, reshipped.text
    assert confirmations(courier_client, order) == 0
    services.exceptions.refresh()
    cleared = _exception(services, order, ExceptionKind.EXCURSION)
    assert cleared.resolved_at is not None and cleared.resolution == "disposition"
    assert cleared.resolved_by is not None and cleared.resolved_by.startswith("key:")
    with services.sessions() as session:
        kinds = [e.kind for e in chain(session, order.id or 0)]
        rows = session.scalars(
            select(Shipment).where(col(Shipment.order_pk) == order.id).order_by(col(Shipment.id))
        ).all()
    assert kinds[-1] == "returned_to_pharmacy"
    assert [r.state for r in rows] == [ShipmentState.REPLACED, ShipmentState.PURCHASED]
    assert reshipped.json()["shipment"] == rows[1].key
    assert _order(courier_client, order).status.value == "dispatched"
    assert _actions(courier_client, order)[-3:] == [
        ("disposition", "delivered", "delivered"),
        ("reship", "delivered", "delivered"),
        ("status", "delivered", "dispatched"),
    ]


def test_destroy_reship_starts_the_reship(
    courier_client: TestClient, headers: dict[str, str]
) -> None:
    order = deliver(courier_client, 64, connector="strict")
    _warm(courier_client, headers, order)

    done = courier_client.post(
        f"/orders/{order.order_id}/excursion/disposition",
        json={"disposition": "destroy_reship", "note": NOTE},
        headers=_key(courier_client, Role.PHARMACIST),
    )

    assert done.status_code == 200, done.text
    assert done.json()["status"] == "dispatched" and done.json()["reship"]
    assert _order(courier_client, order).status.value == "dispatched"
    assert confirmations(courier_client, order) == 0
