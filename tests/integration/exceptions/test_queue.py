"""The exceptions queue over a drop shipment's journey: each kind opens from the records and
clears by its action (who, role, why in the order's history) or by its condition."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import col

from finalmile.app import Services
from finalmile.auth import Role, Scope, create_key
from finalmile.carriers.easypost.webhooks import parse_event
from finalmile.config import Settings
from finalmile.db import transaction
from finalmile.db_types import utcnow
from finalmile.errors import AuthError, ConflictError
from finalmile.exceptions import Actor, ExceptionKind, OrderException
from finalmile.main import create_app
from finalmile.orders import BillingStatus, Order, OrderStatus
from finalmile.outbox import OutboxEvent, OutboxStatus
from finalmile.tracking import Obtained, ReceiptRecord, Relationship
from tests.integration.tracking.helpers import dropship, easypost_event, outbox_topics

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
FAILED_PLAN = [
    (0, "pre_transit", "label_created", "Shipping Label Created"),
    (6, "in_transit", "arrived_at_facility", "Accepted at Origin"),
    (30, "failure", "delivery_exception", "Delivery Attempted"),
]
LATER = utcnow() + dt.timedelta(days=2)


def _events(services: Services, number: str, upto: int, plan: list | None = None) -> None:
    """The parcel's first ``upto`` scans; a delivery without the signature the order needs."""
    for n in range(1, upto + 1):
        body = easypost_event(number, n, event_id=f"e_{number}_{n}", plan=plan)
        body["result"]["signed_by"] = None
        event = parse_event(body)
        services.tracking.receive(provider="easypost", event_id=event.event_id, report=event.report)


def _rows(services: Services, order_id: str) -> dict[ExceptionKind, OrderException]:
    """The order's exceptions by kind (the newest row of each)."""
    with services.sessions() as session:
        statement = (
            select(OrderException)
            .join(Order, col(Order.id) == col(OrderException.order_pk))
            .where(col(Order.order_id) == order_id)
            .order_by(col(OrderException.id))
        )
        return {row.kind: row for row in session.scalars(statement)}


def _order(services: Services, order_id: str) -> Order:
    with services.sessions() as session:
        order = session.scalars(select(Order).where(col(Order.order_id) == order_id)).one()
        session.expunge(order)
        return order


def _history(services: Services, order_id: str) -> list[tuple[str, str, dict]]:
    from finalmile.audit import AuditEvent  # noqa: PLC0415

    pk = str(_order(services, order_id).id)
    with services.sessions() as session:
        rows = session.scalars(
            select(AuditEvent)
            .where(col(AuditEvent.entity) == "order", col(AuditEvent.entity_id) == pk)
            .order_by(col(AuditEvent.id))
        )
        return [(e.action, e.actor, e.detail) for e in rows]


@pytest.fixture
def queue_of(tracked: Services) -> Services:
    """The tracking services with the queue's and the actions' clock two days ahead (quiet
    parcels stall)."""
    tracked.exceptions.clock = tracked.actions.clock = lambda: LATER
    return tracked


def test_stalled_and_late_clear_on_delivery_and_the_pod_is_completed_from_paper(
    queue_of: Services,
) -> None:
    services = queue_of
    order_id, number = dropship(services, 2001)
    services.exceptions.refresh()
    rows = _rows(services, order_id)
    assert {ExceptionKind.STALLED, ExceptionKind.LATE} <= set(rows)
    assert rows[ExceptionKind.STALLED].reason == (
        "dispatched with no carrier or driver event for 24 hours"
    )
    _events(services, number, 5)  # delivered; the order asks for a signature the carrier lacks
    services.exceptions.refresh()
    rows = _rows(services, order_id)
    for cleared in (ExceptionKind.STALLED, ExceptionKind.LATE):
        assert rows[cleared].resolved_by == "system" and rows[cleared].resolution == "cleared"
    pod = rows[ExceptionKind.POD_INCOMPLETE]
    assert pod.resolved_at is None and "proof of delivery incomplete" in pod.reason
    record = ReceiptRecord("Pat Example", Relationship.SPOUSE, LATER, Obtained.PAPER)
    with pytest.raises(AuthError) as refused:
        services.actions.complete_pod(
            order_id=order_id,
            connector=None,
            record=record,
            attachment=PNG,
            actor=Actor("cli:ann", Role.PHARMACIST, "signed sheet"),
        )
    assert refused.value.status_code == 403 and "dispatcher, billing" in str(refused.value)
    services.actions.complete_pod(
        order_id=order_id,
        connector=None,
        record=record,
        attachment=PNG,
        actor=Actor("cli:bo", Role.BILLING, "signed delivery sheet faxed back"),
    )
    pod = _rows(services, order_id)[ExceptionKind.POD_INCOMPLETE]
    assert (pod.resolved_by, pod.resolution) == ("cli:bo", "complete_pod")
    assert _order(services, order_id).billing_status is BillingStatus.CONFIRMED
    assert outbox_topics(services, order_id)["order.delivery_confirmed"] == 1
    entry = [h for h in _history(services, order_id) if h[0] == "complete_pod"]
    assert entry == [
        (
            "complete_pod",
            "cli:bo",
            {
                "role": "billing",
                "reason": "signed delivery sheet faxed back",
                "obtained": "paper",
                "relationship": "spouse",
            },
        )
    ]
    with pytest.raises(ConflictError, match="already complete"):
        services.actions.complete_pod(
            order_id=order_id,
            connector=None,
            record=record,
            attachment=PNG,
            actor=Actor("cli:bo", Role.BILLING, "again"),
        )


def test_a_failed_attempt_is_cleared_by_cancel_which_tells_the_pms(queue_of: Services) -> None:
    services = queue_of
    order_id, number = dropship(services, 2002)
    _events(services, number, 3, FAILED_PLAN)
    services.exceptions.refresh()
    assert _rows(services, order_id)[ExceptionKind.FAILED_ATTEMPT].resolved_at is None
    with pytest.raises(AuthError, match="dispatcher, pharmacist"):
        services.actions.cancel(
            order_id=order_id, connector=None, actor=Actor("cli:bo", Role.BILLING, "no")
        )
    done = services.actions.cancel(
        order_id=order_id,
        connector=None,
        actor=Actor("cli:dee", Role.DISPATCHER, "patient moved to hospice care"),
    )
    assert done.changed
    failed = _rows(services, order_id)[ExceptionKind.FAILED_ATTEMPT]
    assert (failed.resolved_by, failed.resolution) == ("cli:dee", "cancel")
    assert _order(services, order_id).status is OrderStatus.CANCELLED
    assert outbox_topics(services, order_id)["order.cancelled"] == 1
    again = services.actions.cancel(
        order_id=order_id, connector=None, actor=Actor("cli:dee", Role.DISPATCHER, "again")
    )
    assert not again.changed
    assert outbox_topics(services, order_id)["order.cancelled"] == 1
    services.exceptions.refresh()
    live = _rows(services, order_id).get(ExceptionKind.CANCELLED_AFTER_DISPATCH)
    if done.voided:
        assert live is None
    else:  # the drop shipper could not void it: a person must stop the package
        assert live is not None and live.resolved_at is None


def test_a_delivered_order_cannot_be_cancelled(queue_of: Services) -> None:
    order_id, number = dropship(queue_of, 2003)
    _events(queue_of, number, 5)
    with pytest.raises(ConflictError, match="is delivered") as refused:
        queue_of.actions.cancel(
            order_id=order_id, connector=None, actor=Actor("cli:dee", Role.DISPATCHER, "x")
        )
    assert refused.value.code == "not_cancellable"


def test_a_dead_writeback_stays_open_until_the_replay_is_delivered(queue_of: Services) -> None:
    services = queue_of
    order_id, number = dropship(services, 2004)
    _events(services, number, 2)  # shipped: an order.shipped row
    with transaction(services.sessions) as session:  # the outbox gave up on it
        row = session.scalars(
            select(OutboxEvent).where(col(OutboxEvent.order_id) == order_id)
        ).first()
        assert row is not None
        row.status = OutboxStatus.DEAD
        event_pk = row.id
    services.exceptions.refresh()
    dead = _rows(services, order_id)[ExceptionKind.WRITEBACK_DEAD]
    assert dead.reason == "write-back to the PMS dead-lettered: order.shipped"
    with pytest.raises(AuthError, match="billing"):
        services.actions.replay_writebacks(
            order_id=order_id, connector=None, actor=Actor("cli:dee", Role.DISPATCHER, "x")
        )
    ids = services.actions.replay_writebacks(
        order_id=order_id, connector=None, actor=Actor("cli:bo", Role.BILLING, "PMS back up")
    )
    assert ids == [event_pk]
    services.exceptions.refresh()
    waiting = _rows(services, order_id)[ExceptionKind.WRITEBACK_DEAD]
    assert waiting.resolved_at is None and "replayed, not delivered yet" in waiting.reason
    with transaction(services.sessions) as session:  # a worker delivered it
        delivered = session.get(OutboxEvent, event_pk)
        assert delivered is not None
        delivered.status = OutboxStatus.DELIVERED
    services.exceptions.refresh()
    done = _rows(services, order_id)[ExceptionKind.WRITEBACK_DEAD]
    assert (done.resolved_by, done.resolution) == ("cli:bo", "replay_writeback")
    with pytest.raises(ConflictError) as nothing:
        services.actions.replay_writebacks(
            order_id=order_id, connector=None, actor=Actor("cli:bo", Role.BILLING, "again")
        )
    assert nothing.value.code == "nothing_to_replay"


@pytest.fixture
def api(track_settings: Settings) -> Iterator[TestClient]:
    quiet = track_settings.model_copy(update={"exceptions_interval_seconds": 0})
    with TestClient(create_app(quiet)) as client:
        yield client


def _key(client: TestClient, *scopes: Scope, roles: tuple[Role, ...] = ()) -> dict[str, str]:
    services: Services = client.app.state.services
    with services.sessions() as session, session.begin():
        return {
            "X-API-Key": create_key(session=session, name="t", scopes=scopes, roles=roles).token
        }


def test_the_api_lists_exceptions_with_their_actions_and_acts_on_them(api: TestClient) -> None:
    services: Services = api.app.state.services
    services.exceptions.clock = services.actions.clock = lambda: LATER
    order_id, number = dropship(services, 2005)
    _events(services, number, 3, FAILED_PLAN)
    reader = _key(api, Scope.ORDERS_READ)
    assert api.get("/exceptions").status_code == 401
    listed = api.get(
        "/exceptions",
        params={"kind": ["failed_attempt", "held"], "order_id": order_id},
        headers=reader,
    )
    assert listed.status_code == 200, listed.text
    (item,) = listed.json()["items"]
    assert item["kind"] == "failed_attempt" and item["order_id"] == order_id
    assert item["reason"] == "a delivery attempt failed"
    assert [a["name"] for a in item["actions"]] == ["reattempt", "reship", "cancel"]
    cancel = item["actions"][-1]
    assert cancel == {
        "name": "cancel",
        "method": "POST",
        "path": f"/orders/{order_id}/cancel",
        "roles": ["dispatcher", "pharmacist"],
    }
    everyone = api.get("/exceptions", params={"limit": 1}, headers=reader).json()
    assert len(everyone["items"]) == 1 and everyone["next_cursor"]
    billing = _key(api, Scope.ORDERS_WRITE, roles=(Role.BILLING,))
    refused = api.post(cancel["path"], json={"reason": "x"}, headers=billing)
    assert refused.status_code == 403
    assert "dispatcher, pharmacist" in refused.json()["error"]["message"]
    pharmacist = _key(api, Scope.ORDERS_WRITE, roles=(Role.PHARMACIST,))
    assert api.post(cancel["path"], json={}, headers=pharmacist).status_code == 422
    done = api.post(cancel["path"], json={"reason": "duplicate order"}, headers=pharmacist)
    assert done.status_code == 200, done.text
    assert done.json()["changed"] is True
    resolved = api.get(
        "/exceptions", params={"resolved": True, "order_id": order_id}, headers=reader
    ).json()["items"]
    failed = next(i for i in resolved if i["kind"] == "failed_attempt")
    assert failed["resolution"] == "cancel" and failed["resolved_by"].startswith("key:")
    assert failed["actions"] == []
    hold = api.post(
        f"/orders/{order_id}/resolve-hold",
        json={"option": "UPS", "reason": "x"},
        headers=pharmacist,
    )
    assert hold.status_code == 409 and hold.json()["error"]["code"] == "not_held"
    assert "cancelled, not held" in hold.json()["error"]["message"]
    decide = api.post(f"/orders/{order_id}/decide", json={"reason": "x"}, headers=pharmacist)
    assert decide.status_code == 409 and decide.json()["error"]["code"] == "cancelled"
