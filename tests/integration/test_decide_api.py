"""``POST /orders/{id}/decide``, the decision in ``GET /orders/{id}``, ``GET /decisions``, and
the decision worker running in the app."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from finalmile.app import Services
from finalmile.auth.models import Role, Scope
from finalmile.auth.service import create_key
from finalmile.config.settings import Settings
from finalmile.main import create_app
from tests.hl7_builder import rde

HL7 = {"Content-Type": "x-application/hl7-v2+er7"}
TUESDAY = dt.datetime(2026, 11, 17, 15, 0, tzinfo=dt.UTC)
TOO_LATE = dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC)  # after every ZDL needed-by


def _services(client: TestClient) -> Services:
    services: Services = client.app.state.services
    return services


def _key(client: TestClient, *scopes: Scope, roles: tuple[Role, ...] = ()) -> dict[str, str]:
    with _services(client).sessions() as session, session.begin():
        key = create_key(session=session, name="test", scopes=scopes, roles=roles)
        return {"X-API-Key": key.token}


@pytest.fixture
def quiet(settings: Settings) -> Iterator[TestClient]:
    """The app (its decision job off, as in every test's settings) on a fixed clock, two orders."""
    with TestClient(create_app(settings)) as c:
        _services(c).decider.clock = lambda: TUESDAY
        admin = _key(c, Scope.ADMIN)
        for n in (1, 2):
            response = c.post("/hl7/v2", content=rde(f"A{n}", f"RX-A{n}"), headers={**admin, **HL7})
            assert response.status_code == 200
        yield c


def test_decide_stores_and_returns_the_decision_with_reasons(quiet: TestClient) -> None:
    writer = _key(quiet, Scope.ORDERS_WRITE, roles=(Role.PHARMACIST,))
    reader = _key(quiet, Scope.ORDERS_READ)
    r = quiet.post("/orders/RX-A1/decide", headers=reader)
    assert r.status_code == 403, r.text
    billing = _key(quiet, Scope.ORDERS_WRITE, roles=(Role.BILLING,))
    refused = quiet.post("/orders/RX-A1/decide", headers=billing)
    assert refused.status_code == 403
    assert "dispatcher, pharmacist" in refused.json()["error"]["message"]
    response = quiet.post("/orders/RX-A1/decide", json={"reason": "fixed"}, headers=writer)
    assert response.status_code == 200, response.text
    decision = response.json()
    assert decision["delivery_type"] == "courier"
    assert decision["rule_set"] == "default" and decision["rule_set_version"] == 1
    assert decision["reasons"][-1].startswith("Chose Courier (day)")
    detail = quiet.get("/orders/RX-A1", headers=reader).json()
    assert detail["decision"] == {k: v for k, v in decision.items() if k != "decision_id"}
    decided = [h for h in detail["history"] if h["action"] == "decided"]
    assert len(decided) == 1 and decided[0]["detail"]["delivery_type"] == "courier"
    assert decided[0]["actor"].startswith("key:")
    assert decided[0]["detail"]["role"] == "pharmacist"
    assert decided[0]["detail"]["reason"] == "fixed"
    assert quiet.get("/orders/RX-A2", headers=reader).json()["decision"] is None


def test_holds_are_listed_as_exceptions(quiet: TestClient) -> None:
    writer = _key(quiet, Scope.ORDERS_WRITE, roles=(Role.DISPATCHER,))
    reader = _key(quiet, Scope.ORDERS_READ)
    quiet.post("/orders/RX-A1/decide", headers=writer)
    _services(quiet).decider.clock = lambda: TOO_LATE
    quiet.post("/orders/RX-A2/decide", headers=writer)
    holds = quiet.get("/decisions", params={"delivery_type": "hold"}, headers=reader).json()
    assert [d["order_id"] for d in holds["items"]] == ["RX-A2"]
    assert holds["items"][0]["reasons"][-1] == (
        "Hold: needed-by Tue 2026-11-24 17:00 has already passed; a person must decide"
    )
    every = quiet.get("/decisions", params={"limit": 1}, headers=reader).json()
    assert [d["order_id"] for d in every["items"]] == ["RX-A2"]
    rest = quiet.get("/decisions", params={"cursor": every["next_cursor"]}, headers=reader)
    assert [d["order_id"] for d in rest.json()["items"]] == ["RX-A1"]


def test_unknown_and_cancelled_orders_are_refused(quiet: TestClient) -> None:
    admin = _key(quiet, Scope.ADMIN)
    assert quiet.post("/orders/RX-NONE/decide", headers=admin).status_code == 404
    cancel = rde("A3", "RX-A1", order_control="CA")
    assert quiet.post("/hl7/v2", content=cancel, headers={**admin, **HL7}).status_code == 200
    refused = quiet.post("/orders/RX-A1/decide", headers=admin)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "cancelled"


def test_the_worker_decides_arriving_orders(settings: Settings) -> None:
    fast = settings.model_copy(update={"decide_interval_seconds": 0.05})
    with TestClient(create_app(fast)) as client:
        _services(client).decider.clock = lambda: TUESDAY
        admin = _key(client, Scope.ADMIN)
        client.post("/hl7/v2", content=rde("K1", "RX-K1"), headers={**admin, **HL7})
        deadline = time.monotonic() + 10
        decision = None
        while decision is None and time.monotonic() < deadline:
            decision = client.get("/orders/RX-K1", headers=admin).json()["decision"]
            time.sleep(0.05)
    assert decision is not None and decision["delivery_type"] == "courier"
