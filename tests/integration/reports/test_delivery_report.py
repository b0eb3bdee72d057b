"""The delivery report equals a hand computation on ten orders over two days at two sites
(``demo`` in New York, ``west`` in Los Angeles), carrier and courier, with a failed attempt, a late
delivery, excursions, a hold and exceptions; JSON, CLI table and CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from finalmile.app import Services
from finalmile.auth.models import Scope
from finalmile.auth.service import create_key
from finalmile.cli import app
from finalmile.config.settings import Settings
from finalmile.evidence.temperature.evaluate import Verdict
from finalmile.exceptions import ExceptionKind
from finalmile.orders import OrderStatus as S
from finalmile.rules import DeliveryType
from tests.integration.environment import export_settings
from tests.integration.worklist.journeys import Journey, build

NY, LA = ZoneInfo("America/New_York"), ZoneInfo("America/Los_Angeles")
D1 = dt.date.today() - dt.timedelta(days=7)
D2 = D1 + dt.timedelta(days=1)
WEST = """\
name: west
label: West Infusion Pharmacy
timezone: America/Los_Angeles
postal_code: "94103"
connectors: []
rules: default
"""
runner = CliRunner()


def at(day: dt.date, hour: int, minute: int = 0, zone: ZoneInfo = NY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)


def hours(day: dt.date, hour: int, later: float, zone: ZoneInfo = NY) -> dt.datetime:
    return at(day, hour, zone=zone) + dt.timedelta(hours=later)


def journeys() -> list[Journey]:
    """A1..A7 at demo (New York), B1..B3 at west (Los Angeles)."""
    ups = {"carrier": "UPS", "account": "ep", "service": "ground"}
    fedex = {"carrier": "FedEx", "account": "ep", "service": "priority"}
    courier = {"carrier": "courier", "account": "fleet", "service": "same_day"}

    def delivered(day: dt.date, hour: int, zone: ZoneInfo = NY) -> list[tuple[S, dt.datetime]]:
        return [
            (S.IN_TRANSIT, at(day, 7, zone=zone)),
            (S.OUT_FOR_DELIVERY, at(day, 8, zone=zone)),
            (S.DELIVERED, at(day, hour, zone=zone)),
        ]

    early = at(D1 - dt.timedelta(days=1), 9)
    return [
        # A1: on time, first attempt, $20, billed 2 h later; an older courier decision superseded.
        Journey(101, at(D1, 17), "demo", DeliveryType.CARRIER, early, **ups,
                amount=Decimal("20.00"), shipped_at=early, steps=delivered(D1, 14),
                billed_at=hours(D1, 14, 2), superseded_type=DeliveryType.COURIER),
        # A2: late (19:00 for 17:00), $30, billed 6 h later, excursion.
        Journey(102, at(D1, 17), "demo", DeliveryType.CARRIER, early, **ups,
                amount=Decimal("30.00"), shipped_at=early, steps=delivered(D1, 19),
                billed_at=hours(D1, 19, 6), verdict=Verdict.EXCURSION),
        # A3: courier job without an amount (decision's $25), failed attempt then delivered on
        # time, billed 4 h later, log passed, driver d1.
        Journey(103, at(D1, 17), "demo", DeliveryType.COURIER, early, **courier,
                cost=Decimal("25.00"), shipped_at=early,
                steps=[(S.OUT_FOR_DELIVERY, at(D1, 9)), (S.FAILED_ATTEMPT, at(D1, 11)),
                       (S.OUT_FOR_DELIVERY, at(D1, 14)), (S.DELIVERED, at(D1, 16, 30))],
                billed_at=hours(D1, 16, 5), verdict=Verdict.PASS, driver=("d1", "Dana Driver")),
        # A4: courier $15 (the decision said $99: the job's amount wins), on time, not billed.
        Journey(104, at(D1, 18), "demo", DeliveryType.COURIER, early, **courier,
                cost=Decimal("99.00"), amount=Decimal("15.00"), shipped_at=early,
                steps=delivered(D1, 17), verdict=Verdict.PASS, driver=("d1", "Dana Driver")),
        # A5: still in transit; a late exception opened at 18:00 on D1.
        Journey(105, at(D1, 17), "demo", DeliveryType.CARRIER, early, **ups,
                amount=Decimal("22.00"), shipped_at=early, steps=[(S.IN_TRANSIT, at(D1, 7))],
                exceptions=[(ExceptionKind.LATE, at(D1, 18), None)]),
        # A6: held; its exception opened on D1, resolved on D2.
        Journey(106, at(D1, 17), "demo", DeliveryType.HOLD, early,
                exceptions=[(ExceptionKind.HELD, at(D1, 9), at(D2, 10))]),
        # A7: D2, on time, first attempt, $18, billed 3 h later.
        Journey(107, at(D2, 10), "demo", DeliveryType.CARRIER, early, **ups,
                amount=Decimal("18.00"), shipped_at=early, steps=delivered(D2, 9),
                billed_at=hours(D2, 9, 3)),
        # B1: needed 23:30 Los Angeles on D1 (07:30 UTC on D2: a D1 order at west), delivered
        # 22:00, $40, billed 10 h later.
        Journey(201, at(D1, 23, 30, LA), "west", DeliveryType.CARRIER, early, **fedex,
                amount=Decimal("40.00"), shipped_at=early, steps=delivered(D1, 22, LA),
                billed_at=hours(D1, 22, 10, LA)),
        # B2: D2, failed attempt then returned; two exceptions opened, one resolved.
        Journey(202, at(D2, 17, zone=LA), "west", DeliveryType.CARRIER, early, **fedex,
                amount=Decimal("41.00"), shipped_at=early,
                steps=[(S.OUT_FOR_DELIVERY, at(D2, 9, zone=LA)),
                       (S.FAILED_ATTEMPT, at(D2, 12, zone=LA)), (S.RETURNED, at(D2, 16, zone=LA))],
                exceptions=[
                    (ExceptionKind.FAILED_ATTEMPT, at(D2, 13, zone=LA), at(D2, 15, zone=LA)),
                    (ExceptionKind.RETURNED, at(D2, 16, zone=LA), None)]),
        # B3: D2 courier $12.50, on time, billed 1 h later, excursion.
        Journey(203, at(D2, 12, zone=LA), "west", DeliveryType.COURIER, early, **courier,
                amount=Decimal("12.50"), shipped_at=early, steps=delivered(D2, 11, LA),
                billed_at=hours(D2, 11, 1, LA), verdict=Verdict.EXCURSION,
                driver=("w1", "Wes Driver")),
    ]  # fmt: skip


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
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """The test settings with a second site, west, in Los Angeles."""
    sites = tmp_path / "config" / "sites"
    sites.mkdir(parents=True)
    (tmp_path / "config" / "connectors").mkdir()
    (sites / "west.yaml").write_text(WEST)
    return settings.model_copy(update={"config_dir": tmp_path / "config"})


@pytest.fixture
def stored(client: TestClient) -> Iterator[Services]:
    services: Services = client.app.state.services
    for journey in journeys():
        build(services, journey)
    yield services


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
    lines = table.output.splitlines()
    assert lines[0].startswith("day\tsite\tdelivery_type\tcarrier\torders\tdelivered")
    assert lines[-1] == "total\t-\t-\t-\t10\t7\t0.8571\t0.8571\t22.93\t0.5\t3.75\t10.0\t4\t2"
    assert len(lines) == 1 + len(EXPECTED) + 1
    as_csv = runner.invoke(app, ["report", *period, "--site", "west", "--csv"])
    assert as_csv.exit_code == 0, as_csv.output
    records = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert [r["site"] for r in records] == ["west", "west", "west", ""]
    assert records[-1]["day"] == "total" and records[-1]["cost_per_delivery"] == "26.25"
    bad = runner.invoke(app, ["report", "--from", D2.isoformat(), "--to", D1.isoformat()])
    assert bad.exit_code == 2 and "to: to must not be before from" in bad.output
    assert Decimal(records[0]["cost_per_delivery"]) == Decimal("40.00")
