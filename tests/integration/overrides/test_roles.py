"""Roles on staff endpoints: a billing key buys no label, a dispatcher cannot make the
pharmacist's override, an admin may do everything, and a key made before roles keeps its
scope's access for one release, logged as deprecated (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from finalmile.auth import Role, Scope
from tests.integration.overrides.conftest import ORDER, USPS_GROUND, decided_and_planned, key

OVERRIDE = {**USPS_GROUND, "override_reason": "courier fleet grounded by snow"}


def test_a_billing_key_cannot_buy_labels_or_plan_routes(api: TestClient) -> None:
    decided_and_planned(api)
    billing = key(api, Role.BILLING)
    bought = api.post(f"/orders/{ORDER}/shipments", json=OVERRIDE, headers=billing)
    assert bought.status_code == 403
    assert "dispatcher, pharmacist" in bought.json()["error"]["message"]
    planned = api.post("/routes/plan?date=2026-11-24&seconds=0.3", headers=billing)
    assert planned.status_code == 403
    assert "the role dispatcher" in planned.json()["error"]["message"]


def test_a_dispatcher_cannot_make_the_pharmacists_override(api: TestClient) -> None:
    decided_and_planned(api)
    several = key(api, Role.DISPATCHER, Role.BILLING)
    refused = api.post(f"/orders/{ORDER}/shipments", json=OVERRIDE, headers=several)
    assert refused.status_code == 403
    assert "needs the role pharmacist" in refused.json()["error"]["message"]


@pytest.mark.parametrize("holder", ["admin role", "admin scope"])
def test_an_admin_may_do_all(api: TestClient, holder: str) -> None:
    decided_and_planned(api)
    admin = key(api, Role.ADMIN) if holder == "admin role" else key(api, scope=Scope.ADMIN)
    bought = api.post(f"/orders/{ORDER}/shipments", json=OVERRIDE, headers=admin)
    assert bought.status_code == 201, bought.text
    detail = api.get(f"/orders/{ORDER}", headers=admin).json()
    [entry] = [h for h in detail["history"] if h["action"] == "override"]
    assert entry["detail"]["role"] == "admin"
    voided = api.post(
        f"/orders/{ORDER}/shipments/{bought.json()['key']}/void",
        json={"reason": "wrong service"},
        headers=admin,
    )
    assert voided.status_code == 200, voided.text


def test_a_key_without_roles_keeps_its_scope_for_a_release_but_makes_no_override(
    api: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    decided_and_planned(api)
    legacy = key(api)
    refused = api.post(f"/orders/{ORDER}/shipments", json=OVERRIDE, headers=legacy)
    assert refused.status_code == 403, refused.text
    assert "pharmacist" in refused.json()["error"]["message"]
    logged = capsys.readouterr().out
    assert "roleless_api_key" in logged and "/orders/{order_id}/shipments" in logged
    planned = api.post("/routes/plan?date=2026-11-24&seconds=0.3", headers=legacy)
    assert planned.status_code == 200, planned.text
