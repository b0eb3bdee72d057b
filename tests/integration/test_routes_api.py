"""``POST /routes/plan`` and ``GET /routes/plans/{id}``: plan, store, read back (both backends)."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from fastapi.testclient import TestClient

from finalmile.app import Services
from finalmile.auth.models import Scope
from finalmile.auth.service import create_key


def _headers(client: TestClient, scope: Scope) -> dict[str, str]:
    services: Services = client.app.state.services
    with services.sessions() as session, session.begin():
        return {"X-API-Key": create_key(session=session, name="t", scopes=[scope]).token}


@pytest.mark.slow
def test_plan_is_stored_with_etas_and_reasons(client: TestClient) -> None:
    day = json.loads(
        resources.files("finalmile.config.defaults").joinpath("routing/demo_day.json").read_text()
    )
    response = client.post(
        "/routes/plan?date=2026-11-24&seconds=0.3",
        json=day,
        headers=_headers(client, Scope.ORDERS_WRITE),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["feasible"] is True and body["travel_source"] == "haversine"
    planned = [s for r in body["routes"] for s in r["stops"]]
    assert len(planned) + len(body["unassigned"]) == 24
    assert all(s["eta"]["from"] <= s["service_start"] <= s["eta"]["to"] for s in planned)
    assert all(u["reason"] for u in body["unassigned"])
    stored = client.get(
        f"/routes/plans/{body['plan_id']}", headers=_headers(client, Scope.ORDERS_READ)
    )
    assert stored.json() == body
    assert "Testpatient" not in stored.text


def test_bad_day_is_a_located_422_and_unknown_plan_404(client: TestClient) -> None:
    write = _headers(client, Scope.ORDERS_WRITE)
    response = client.post(
        "/routes/plan?date=2026-11-24", json={"sites": [], "drivers": [], "jobs": []}, headers=write
    )
    assert response.status_code == 422
    assert "sites" in json.dumps(response.json())
    missing = client.get("/routes/plans/999", headers=_headers(client, Scope.ORDERS_READ))
    assert missing.status_code == 404
