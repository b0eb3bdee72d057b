"""The delivery report equals a hand computation on the two-day scenario (``two_days``); JSON,
CLI table and CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from finalmile.app import Services
from finalmile.auth.models import Scope
from finalmile.auth.service import create_key
from finalmile.cli import app
from finalmile.config.settings import Settings
from tests.integration.environment import export_settings
from tests.integration.worklist.two_days import D1, D2, settings, stored

__all__ = ["settings", "stored"]  # fixtures shared with the other two-day tests
runner = CliRunner()


#: (day, site, type, carrier): orders, delivered, on-time, first-attempt, cost, excursion,
#: billing median h, p90 h, exceptions opened, resolved, computed by hand from the journeys.
EXPECTED = {
    (D1, "demo", "carrier", "UPS"): (3, 2, 0.5, 1.0, "25.00", 1.0, 4.0, 6.0, 1, 0),
    (D1, "demo", "courier", "courier"): (2, 2, 1.0, 0.5, "20.00", 0.0, 4.5, 4.5, 0, 0),
    (D1, "demo", "hold", None): (1, 0, None, None, None, None, None, None, 1, 0),
    (D1, "west", "carrier", "FedEx"): (1, 1, 1.0, 1.0, "40.00", None, 10.0, 10.0, 0, 0),
    (D2, "demo", "carrier", "UPS"): (1, 1, 1.0, 1.0, "18.00", None, 3.0, 3.0, 0, 0),
    (D2, "demo", "hold", None): (0, 0, None, None, None, None, None, None, 0, 1),
    (D2, "west", "carrier", "FedEx"): (1, 0, None, None, None, None, None, None, 2, 1),
    (D2, "west", "courier", "courier"): (1, 1, 1.0, 1.0, "12.50", 1.0, 1.0, 1.0, 0, 0),
}
#: 7 delivered; 6 on time (A2 late); 6 first attempt (A3 failed once); cost 160.50 / 7;
#: excursions 2 of 4 logs; billing hours 1, 2, 3, 4.5, 6, 10: median 3.75, p90 (rank 6) 10.
TOTAL = (10, 7, 0.8571, 0.8571, "22.93", 0.5, 3.75, 10.0, 4, 2)
FIELDS = (
    "orders",
    "delivered",
    "on_time_rate",
    "first_attempt_rate",
    "cost_per_delivery",
    "excursion_rate",
    "billing_median_hours",
    "billing_p90_hours",
    "exceptions_opened",
    "exceptions_resolved",
)


@pytest.fixture
def headers(stored: Services) -> dict[str, str]:
    with stored.sessions() as session, session.begin():
        token = create_key(session=session, name="reports", scopes=[Scope.ORDERS_READ]).token
    return {"X-API-Key": token}


def numbers(row: dict[str, object]) -> tuple[object, ...]:
    return tuple(row[name] for name in FIELDS)


def test_the_report_equals_the_hand_computation(
    client: TestClient, headers: dict[str, str]
) -> None:
    answer = client.get(
        "/metrics/delivery", params={"from": D1.isoformat(), "to": D2.isoformat()}, headers=headers
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["from"] == D1.isoformat() and body["to"] == D2.isoformat()
    got = {
        (dt.date.fromisoformat(r["day"]), r["site"], r["delivery_type"], r["carrier"]): numbers(r)
        for r in body["rows"]
    }
    assert got == EXPECTED
    assert numbers(body["total"]) == TOTAL
    assert "Testpatient" not in answer.text


def test_one_site_and_one_day(client: TestClient, headers: dict[str, str]) -> None:
    west = client.get(
        "/metrics/delivery",
        params={"from": D1.isoformat(), "to": D2.isoformat(), "site": "west"},
        headers=headers,
    ).json()
    assert {r["site"] for r in west["rows"]} == {"west"}
    assert west["total"]["orders"] == 3 and west["total"]["exceptions_opened"] == 2
    day = client.get(
        "/metrics/delivery", params={"from": D2.isoformat(), "to": D2.isoformat()}, headers=headers
    ).json()
    assert day["total"]["orders"] == 3  # A7, B2, B3
    assert day["total"]["exceptions_resolved"] == 2  # A6's (opened on D1) and B2's


@pytest.mark.parametrize(
    ("params", "location"),
    [
        ({"from": "2026-12-02", "to": "2026-12-01"}, "to"),
        ({"from": "2025-01-01", "to": "2026-12-01"}, "to"),
        ({"from": "2026-12-01", "to": "2026-12-02", "site": "nowhere"}, "site"),
        ({"from": "yesterday", "to": "2026-12-02"}, "query.from"),
        ({"to": "2026-12-02"}, "query.from"),
    ],
)
def test_bad_parameters_are_named(
    client: TestClient, headers: dict[str, str], params: dict[str, str], location: str
) -> None:
    answer = client.get("/metrics/delivery", params=params, headers=headers)
    assert answer.status_code == 422
    assert answer.json()["error"]["location"] == location


def test_cli_table_and_csv(
    stored: Services, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    export_settings(settings, monkeypatch)
    monkeypatch.setenv("FINALMILE_CONFIG_DIR", str(settings.config_dir))  # west's time zone
    period = ["--from", D1.isoformat(), "--to", D2.isoformat()]
    table = runner.invoke(app, ["report", *period])
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()  # logs go to stderr
    assert lines[0].startswith("day\tsite\tdelivery_type\tcarrier\torders\tdelivered")
    assert lines[-1] == "total\t-\t-\t-\t10\t7\t0.8571\t0.8571\t22.93\t0.5\t3.75\t10.0\t4\t2"
    assert len(lines) == 1 + len(EXPECTED) + 1
    as_csv = runner.invoke(app, ["report", *period, "--site", "west", "--csv"])
    assert as_csv.exit_code == 0, as_csv.output
    records = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [r["site"] for r in records] == ["west", "west", "west", ""]
    assert records[-1]["day"] == "total" and records[-1]["cost_per_delivery"] == "26.25"
    bad = runner.invoke(app, ["report", "--from", D2.isoformat(), "--to", D1.isoformat()])
    assert bad.exit_code == 2 and "to: to must not be before from" in bad.output
    assert Decimal(records[0]["cost_per_delivery"]) == Decimal("40.00")
