"""One order per delivery type walked through every status, with the branches: failed attempt ->
reattempt -> delivered (in-house courier), failed attempt -> return -> reship (carrier), cancel
after dispatch (a PMS cancel message). Each step's status and history entry (from, to, actor,
reason) is asserted, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import col

from finalmile.app import Services, build_services
from finalmile.audit import history
from finalmile.auth import Role, Scope
from finalmile.auth.service import create_key
from finalmile.config.settings import Settings
from finalmile.courier import driver_stops, drivers
from finalmile.courier.day_from_orders import stored_day
from finalmile.courier.driver_payloads import DriverUpdateIn
from finalmile.exceptions import OrderException
from finalmile.main import create_app
from finalmile.orders import find_order
from finalmile.rules import Override
from finalmile.shipments import Shipment, ShipmentState
from tests.hl7_builder import rde
from tests.integration.shipments.conftest import FAST, ingest_orders
from tests.integration.shipments.courier_receiver import CourierState, courier_api
from tests.integration.tracking.courier_day import DAY, plan_courier_day, report
from tests.integration.tracking.helpers import easypost_event, signed

#: EasyPost scans (hours after T0, status, detail, message) of a parcel that comes back.
RETURNED_PLAN = [
    (0, "pre_transit", "label_created", "Shipping Label Created"),
    (6, "in_transit", "arrived_at_facility", "Accepted at Origin"),
    (41, "out_for_delivery", "out_for_delivery", "Out for Delivery"),
    (49, "failure", "delivery_attempt", "Delivery Attempted"),
    (72, "return_to_sender", "return_to_sender", "Returned to Sender"),
]
SECRET = "walk-courier-secret"
NOBODY = "no_one_home"
Step = tuple[str | None, str | None, str]

#: The fixture orders' needed-by has passed, so the rules hold them: a pharmacist sends them on.
PAST_DUE = Override(
    by="test", roles=frozenset({Role.PHARMACIST}), reason="needed-by passed: send it anyway"
)


@pytest.fixture
def api(track_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(track_settings)) as client:
        yield client


def _key(services: Services, role: Role) -> dict[str, str]:
    with services.sessions() as session, session.begin():
        issued = create_key(session=session, name="t", scopes=[Scope.ORDERS_WRITE], roles=[role])
    return {"X-API-Key": issued.token}


def _walk(services: Services, order_id: str) -> list[Step]:
    """The order's status transitions (intake's, e.g. ``cancelled``, and ``status`` entries):
    (from, to, actor kind)."""
    return [(f, t, actor.split(":")[0]) for f, t, actor, _ in _entries(services, order_id)]


def _entries(services: Services, order_id: str) -> list[tuple[str | None, str | None, str, Any]]:
    with services.sessions() as session:
        order = find_order(session=session, order_id=order_id, connector=None)
        events = history(session, entity="order", entity_id=order.id or 0)
    moves = [e for e in events if e.action != "billing" and e.from_status and e.to_status]
    return [
        (e.from_status, e.to_status, e.actor, e.detail)
        for e in moves
        if e.from_status != e.to_status
    ]


def _status(services: Services, order_id: str) -> str:
    with services.sessions() as session:
        return find_order(session=session, order_id=order_id, connector=None).status.value


def _scans(api: TestClient, number: str, plan: list[tuple[int, str, str, str]], upto: int) -> None:
    raw, headers = signed(easypost_event(number, upto, event_id=f"evt_{number}_{upto}", plan=plan))
    assert api.post("/webhooks/easypost", content=raw, headers=headers).status_code == 200


def _shipments(services: Services, order_id: str) -> list[Shipment]:
    return services.shipments.for_order(order_id=order_id)


def test_in_house_courier_failed_attempt_reattempt_delivered(
    tracked: Services, api: TestClient
) -> None:
    planned = plan_courier_day(tracked)
    route = planned["route"]
    driver_id, order_id = route["driver_id"], route["stops"][0]["order_id"]
    start = dt.datetime.fromisoformat(route["stops"][0]["arrival"])
    assert _status(tracked, order_id) == "dispatched"

    report(tracked, driver_id, order_id, "picked_up", start - dt.timedelta(minutes=30))
    assert _status(tracked, order_id) == "in_transit"
    report(tracked, driver_id, order_id, "arrived", start)
    assert _status(tracked, order_id) == "out_for_delivery"
    report(
        tracked,
        driver_id,
        order_id,
        "attempt_failed",
        start + dt.timedelta(minutes=5),
        reason=NOBODY,
    )
    assert _status(tracked, order_id) == "failed_attempt"

    carrier_only = api.post(
        f"/orders/{order_id}/reattempt",
        json={"reason": "nobody home"},
        headers=_key(tracked, Role.BILLING),
    )
    redelivery = api.app.state.services.redelivery  # type: ignore[attr-defined]
    redelivery.clock = lambda: start + dt.timedelta(hours=1)
    answer = api.post(
        f"/orders/{order_id}/reattempt",
        json={"reason": "nobody home, patient asked for tomorrow"},
        headers=_key(tracked, Role.DISPATCHER),
    )
    assert carrier_only.status_code == 403
    assert answer.status_code == 200, answer.text
    next_day = dt.date.fromisoformat(answer.json()["delivery_date"])
    assert answer.json()["status"] == "dispatched" and next_day == DAY + dt.timedelta(days=1)
    day = stored_day(tracked.planning, next_day)
    assert day is not None
    assert [job["order"]["order_id"] for job in json.loads(day)["jobs"]] == [order_id]

    again = dt.datetime.combine(next_day, start.timetz())
    _second_try(tracked, driver_id, order_id, "arrived", again)
    assert _status(tracked, order_id) == "out_for_delivery"
    _second_try(tracked, driver_id, order_id, "delivered", again + dt.timedelta(minutes=4))

    assert _walk(tracked, order_id) == [
        ("received", "ready", "system"),
        ("ready", "dispatched", "finalmile"),
        ("dispatched", "in_transit", "driver"),
        ("in_transit", "out_for_delivery", "driver"),
        ("out_for_delivery", "failed_attempt", "driver"),
        ("failed_attempt", "dispatched", "key"),
        ("dispatched", "out_for_delivery", "driver"),
        ("out_for_delivery", "delivered", "driver"),
    ]
    reattempted = _entries(tracked, order_id)[5][3]
    assert reattempted["action"] == "reattempt" and reattempted["role"] == "dispatcher"
    assert reattempted["reason"] == "nobody home, patient asked for tomorrow"
    assert reattempted["delivery_date"] == next_day.isoformat()


def _second_try(
    services: Services, driver_id: str, order_id: str, kind: str, at: dt.datetime
) -> None:
    """The driver's app reports ``kind`` on the order's stop on the reattempt day."""
    with services.sessions() as session:
        driver = drivers.get_driver(session=session, driver_id=driver_id)
        (stop,) = [
            s.key
            for s in driver_stops.stops_of(session=session, driver=driver)
            if s.order_id == order_id
        ]
    update = DriverUpdateIn.model_validate(
        {"client_id": f"retry-{kind}", "stop": stop, "kind": kind, "occurred_at": at.isoformat()}
    )
    assert driver.id is not None
    (result,) = services.driver_updates.apply(driver_pk=driver.id, updates=[update], now=at)
    assert result.outcome == "applied", result


def test_cancel_after_dispatch_through_the_pms(tracked: Services) -> None:
    planned = plan_courier_day(tracked)
    order_id = planned["route"]["stops"][-1]["order_id"]
    outcomes = tracked.intake.ingest_hl7(
        [rde("CX1", order_id, order_control="CA")], connector="default"
    )
    assert all(o.error is None for o in outcomes)
    assert _status(tracked, order_id) == "cancelled"
    assert _walk(tracked, order_id)[-1] == ("dispatched", "cancelled", "connector")
    tracked.exceptions.refresh()  # the courier job is still live: a person must stop it
    assert "cancel_dispatched" in _open(tracked, order_id)
    [job] = _shipments(tracked, order_id)
    tracked.shipments.void(shipment=job, actor="key:dispatcher", reason="order cancelled")
    tracked.exceptions.refresh()
    assert _resolved(tracked, order_id)["cancel_dispatched"] is not None


def test_carrier_delivered_and_a_returned_parcel_reshipped(
    tracked: Services, api: TestClient
) -> None:
    delivered_id, returned_id = ingest_orders(tracked, 2, start=700)
    tracked.decider.decide_backlog()
    tracked.exceptions.refresh()
    assert _open(tracked, delivered_id) >= {"held"}  # needed-by passed: a person decides
    for order_id in (delivered_id, returned_id):
        shipment = tracked.shipments.buy(order_id=order_id, account="easypost", override=PAST_DUE)
        assert shipment.tracking_number is not None
        plan = RETURNED_PLAN if order_id == returned_id else None
        for upto, status in ((1, "dispatched"), (2, "in_transit"), (3, "out_for_delivery")):
            _scans(api, shipment.tracking_number, plan or _delivered_plan(), upto)
            assert _status(tracked, order_id) == status
    delivered = _shipments(tracked, delivered_id)[0]
    assert delivered.tracking_number is not None
    _scans(api, delivered.tracking_number, _delivered_plan(), 4)
    assert _status(tracked, delivered_id) == "delivered"

    returned = _shipments(tracked, returned_id)[0]
    assert returned.tracking_number is not None
    _scans(api, returned.tracking_number, RETURNED_PLAN, 4)
    assert _status(tracked, returned_id) == "failed_attempt"
    dispatcher = _key(tracked, Role.DISPATCHER)
    refused = api.post(
        f"/orders/{returned_id}/reattempt", json={"reason": "again"}, headers=dispatcher
    )
    _scans(api, returned.tracking_number, RETURNED_PLAN, 5)
    assert _status(tracked, returned_id) == "returned"
    tracked.exceptions.refresh()
    assert "returned" in _open(tracked, returned_id)
    assert _resolved(tracked, delivered_id)["held"] == "override"  # the pharmacist's override
    reship = api.post(
        f"/orders/{returned_id}/reship",
        json={"reason": "returned to sender", "account": "easypost"},
        headers=dispatcher,
    )

    assert refused.status_code == 409 and refused.json()["error"]["code"] == "not_our_route"
    assert "reship" in refused.json()["error"]["message"]
    assert reship.status_code == 200, reship.text
    tracked.exceptions.refresh()
    assert _resolved(tracked, returned_id)["returned"] == "reship"
    old, new = _shipments(tracked, returned_id)
    assert (old.state, new.state) == (ShipmentState.REPLACED, ShipmentState.PURCHASED)
    assert reship.json()["shipment"] == new.key
    head = [("received", _decided(tracked, delivered_id))]
    tail = [
        ("dispatched", "in_transit", "carrier"),
        ("in_transit", "out_for_delivery", "carrier"),
    ]
    assert _walk(tracked, delivered_id) == [
        (*head[0], "system"),
        # held (needed-by passed): the pharmacist's override decides it, then the label
        ("held", "ready", "test"),
        ("ready", "dispatched", "finalmile"),
        *tail,
        ("out_for_delivery", "delivered", "carrier"),
    ]
    assert _walk(tracked, returned_id)[3:] == [
        *tail,
        ("out_for_delivery", "failed_attempt", "carrier"),
        ("failed_attempt", "returned", "carrier"),
        ("returned", "dispatched", "key"),
    ]
    # an old parcel's late scan no longer moves the order: the new shipment does
    _scans(api, returned.tracking_number, [*RETURNED_PLAN, (90, "delivered", "x", "x")], 6)
    assert _status(tracked, returned_id) == "dispatched"


def _exceptions(services: Services, order_id: str) -> list[OrderException]:
    with services.sessions() as session:
        order = find_order(session=session, order_id=order_id, connector=None)
        return list(
            session.scalars(
                select(OrderException)
                .where(col(OrderException.order_pk) == order.id)
                .order_by(col(OrderException.id))
            )
        )


def _open(services: Services, order_id: str) -> set[str]:
    """The kinds of the order's open exceptions."""
    return {e.kind.value for e in _exceptions(services, order_id) if e.resolved_at is None}


def _resolved(services: Services, order_id: str) -> dict[str, str | None]:
    """The order's resolved exceptions: kind -> how (the action, or ``cleared``)."""
    return {e.kind.value: e.resolution for e in _exceptions(services, order_id) if e.resolved_at}


def _delivered_plan() -> list[tuple[int, str, str, str]]:
    return [
        (0, "pre_transit", "label_created", "Shipping Label Created"),
        (6, "in_transit", "arrived_at_facility", "Accepted at Origin"),
        (41, "out_for_delivery", "out_for_delivery", "Out for Delivery"),
        (49, "delivered", "arrived_at_destination", "Delivered"),
    ]


def _decided(services: Services, order_id: str) -> str:
    first = _entries(services, order_id)[0]
    assert first[0] == "received" and first[1] in {"ready", "held"}
    return str(first[1])


def test_drop_ship_and_third_party_courier_walk_every_status(
    track_settings: Settings, api: TestClient
) -> None:
    with courier_api(SECRET) as (url, state):
        carriers = {
            **track_settings.carriers,
            "swiftcourier": {
                "type": "courier",
                "mode": "third_party",
                "endpoint": url,
                "signing_secret": SECRET,
                **FAST,
            },
        }
        services = build_services(track_settings.model_copy(update={"carriers": carriers}))
        try:
            _walk_both(services, api, state)
        finally:
            services.close()


def _walk_both(services: Services, api: TestClient, state: CourierState) -> None:
    drop_id, courier_id = ingest_orders(services, 2, start=720)
    services.decider.decide_backlog()
    number = "9400000000000000000721"
    services.shipments.record_external(
        order_id=drop_id, account="maker", carrier="USPS", tracking_number=number, override=PAST_DUE
    )
    for upto, status in enumerate(
        ("dispatched", "in_transit", "out_for_delivery", "delivered"), start=1
    ):
        _scans(api, number, _delivered_plan(), upto)
        assert _status(services, drop_id) == status

    job = services.shipments.buy(order_id=courier_id, account="swiftcourier", override=PAST_DUE)
    (remote,) = state.jobs.values()
    for job_status, status in (
        ("picked_up", "in_transit"),
        ("out_for_delivery", "out_for_delivery"),
        ("delivered", "delivered"),
    ):
        remote["status"] = job_status
        services.tracking.poll(job)
        assert _status(services, courier_id) == status

    for order_id in (drop_id, courier_id):
        walk = _walk(services, order_id)
        decided = _decided(services, order_id)
        assert decided == "held"  # needed-by passed: the pharmacist's override sends it on
        assert [(f, t) for f, t, _ in walk] == [
            ("received", "held"),
            ("held", "ready"),
            ("ready", "dispatched"),
            ("dispatched", "in_transit"),
            ("in_transit", "out_for_delivery"),
            ("out_for_delivery", "delivered"),
        ]
        assert {actor for _, _, actor in walk[3:]} == {"carrier"}
