"""Ten orders over two days at two sites (``demo`` in New York, ``west`` in Los Angeles), carrier
and courier, with a failed attempt, a late delivery, excursions, a hold and exceptions: the
scenario of the list and report tests (the report test states its numbers by hand)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from finalmile.app import Services
from finalmile.config.settings import Settings
from finalmile.evidence.temperature.evaluate import Verdict
from finalmile.exceptions import ExceptionKind
from finalmile.orders import OrderStatus as S
from finalmile.rules import DeliveryType
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


def with_west(settings: Settings, tmp_path: Path) -> Settings:
    """``settings`` with a second site, west, in Los Angeles, and no exceptions job: the two days
    write their own exception rows, which a background sync would race."""
    sites = tmp_path / "config" / "sites"
    sites.mkdir(parents=True)
    (tmp_path / "config" / "connectors").mkdir()
    (sites / "west.yaml").write_text(WEST)
    return settings.model_copy(
        update={"config_dir": tmp_path / "config", "exceptions_interval_seconds": 0}
    )


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """The test settings with the second site (see ``with_west``)."""
    return with_west(settings, tmp_path)


@pytest.fixture
def stored(client: TestClient) -> Iterator[Services]:
    """The running app's services with the two days' orders stored."""
    services: Services = client.app.state.services  # type: ignore[attr-defined]
    for journey in journeys():
        build(services, journey)
    yield services
