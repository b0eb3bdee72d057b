"""``GET /orders`` and ``finalmile orders``: filters from every domain, the needed-by sort's pages,
the day's counts, located errors, no patient data (the two-day scenario, ``two_days``)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from finalmile.app import Services
from finalmile.auth.models import Scope
from finalmile.auth.service import create_key
from finalmile.cli import app
from finalmile.config.settings import Settings
from finalmile_devtools.synthetic import order_id_for
from tests.integration.environment import export_settings
from tests.integration.worklist.two_days import D1, D2, NY, journeys, settings, stored

__all__ = ["settings", "stored"]  # fixtures shared with the other two-day tests
runner = CliRunner()


@pytest.fixture
def headers(stored: Services) -> dict[str, str]:
    with stored.sessions() as session, session.begin():
        token = create_key(session=session, name="lists", scopes=[Scope.ORDERS_READ]).token
    return {"X-API-Key": token}


def ids(*sequences: int) -> list[str]:
    return [order_id_for(s) for s in sequences]


def listed(client: TestClient, headers: dict[str, str], **params: Any) -> list[str]:
    answer = client.get("/orders", params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    assert "Testpatient" not in answer.text and "Test Street" not in answer.text
    return [item["order_id"] for item in answer.json()["items"]]


def test_filters_from_every_domain(client: TestClient, headers: dict[str, str]) -> None:
    both = listed(client, headers, status=["delivered", "failed_attempt"])
    assert both == ids(203, 201, 107, 104, 103, 102, 101)
    unbilled = listed(client, headers, status="delivered", billing_status="not_ready")
    assert unbilled == ids(104)
    assert listed(client, headers, delivery_type="courier") == ids(203, 104, 103)
    assert listed(client, headers, delivery_type="hold") == ids(106)
    assert listed(client, headers, site="west") == ids(203, 202, 201)
    assert listed(client, headers, carrier="FedEx") == ids(202, 201)
    assert listed(client, headers, account="fleet") == ids(203, 104, 103)
    assert listed(client, headers, driver="d1") == ids(104, 103)
    assert listed(client, headers, late="true") == ids(106, 105)
    assert len(listed(client, headers, late="false")) == 8
    start = dt.datetime.combine(D2, dt.time(), tzinfo=NY)
    day = {"needed_after": start.isoformat(), "needed_before": (start + dt.timedelta(days=1))}
    assert listed(client, headers, **day) == ids(203, 202, 201, 107)
    (item,) = client.get("/orders", params={"driver": "w1"}, headers=headers).json()["items"]
    assert {k: item[k] for k in ("status", "billing_status", "delivery_type", "site")} == {
        "status": "delivered",
        "billing_status": "confirmed",
        "delivery_type": "courier",
        "site": "west",
    }
    assert (item["account"], item["carrier"], item["driver_id"]) == ("fleet", "courier", "w1")
    # A1's current decision is its newest (carrier), not the courier one it superseded.
    assert listed(client, headers, delivery_type="carrier", status="delivered")[-1] == ids(101)[0]


def test_needed_by_sort_pages_through_ties(client: TestClient, headers: dict[str, str]) -> None:
    scenario = sorted(journeys(), key=lambda j: (j.needed_by, j.sequence))
    expected = [j.order_id for j in scenario]
    assert listed(client, headers, sort="needed_by", limit=500) == expected
    walked: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"sort": "needed_by", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/orders", params=params, headers=headers).json()
        walked += [item["order_id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert walked == expected  # five orders share 17:00 on D1: none skipped, none repeated
    newest = client.get("/orders", params={"limit": 2}, headers=headers).json()["next_cursor"]
    wrong = client.get("/orders", params={"sort": "needed_by", "cursor": newest}, headers=headers)
    assert wrong.status_code == 422 and wrong.json()["error"]["location"] == "cursor"


def test_the_days_counts(client: TestClient, headers: dict[str, str]) -> None:
    answer = client.get("/orders/summary", params={"date": D1.isoformat()}, headers=headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["timezone"] == "America/New_York" and body["total"] == 6
    statuses = {k: v for k, v in body["statuses"].items() if v}
    assert statuses == {"delivered": 4, "in_transit": 1, "held": 1}
    assert body["billing_statuses"] == {"not_ready": 3, "confirmed": 3}
    assert body["late"] == 2
    west = client.get(
        "/orders/summary", params={"date": D1.isoformat(), "site": "west"}, headers=headers
    ).json()
    assert west["timezone"] == "America/Los_Angeles" and west["total"] == 1  # 23:30 there
    assert west["statuses"]["delivered"] == 1 and west["late"] == 0


@pytest.mark.parametrize(
    ("path", "params", "location"),
    [
        ("/orders", {"status": "lost"}, "query.status.0"),
        ("/orders", {"site": "nowhere"}, "site"),
        ("/orders", {"needed_after": "2026-12-01T00:00:00"}, "query.needed_after"),
        (
            "/orders",
            {"needed_after": "2026-12-02T00:00:00Z", "needed_before": "2026-12-01T00:00:00Z"},
            "needed_after",
        ),
        ("/orders", {"sort": "oldest"}, "query.sort"),
        ("/orders/summary", {"date": "monday"}, "query.date"),
        ("/orders/summary", {"date": "2026-12-01", "site": "nowhere"}, "site"),
    ],
)
def test_bad_filters_are_named(
    client: TestClient, headers: dict[str, str], path: str, params: dict[str, str], location: str
) -> None:
    answer = client.get(path, params=params, headers=headers)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["location"] == location


def test_cli_lists_and_counts(
    stored: Services, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    export_settings(settings, monkeypatch)
    monkeypatch.setenv("FINALMILE_CONFIG_DIR", str(settings.config_dir))
    table = runner.invoke(app, ["orders", "list", "--status", "delivered", "--site", "west"])
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()  # logs go to stderr
    assert lines[0] == "order_id\tstatus\tbilling\tneeded_by\ttype\tsite\tcarrier\tdriver"
    assert [line.split("\t")[0] for line in lines[1:]] == ids(203, 201)
    assert lines[1].endswith("\tcourier\twest\tcourier\tw1")
    as_json = runner.invoke(
        app, ["orders", "list", "--status", "held", "--status", "in_transit", "--late", "--json"]
    )
    assert as_json.exit_code == 0, as_json.output
    rows = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert [r["order_id"] for r in rows] == ids(106, 105)
    assert "Testpatient" not in as_json.output
    summary = runner.invoke(app, ["orders", "summary", "--date", D2.isoformat()])
    assert summary.exit_code == 0, summary.output
    assert json.loads(summary.stdout)["total"] == 4
    naive = runner.invoke(app, ["orders", "list", "--needed-after", "2026-12-01T00:00:00"])
    assert naive.exit_code == 2 and "--needed-after: give the UTC offset" in naive.output
