"""The delivery report over a month: 30 days x 500 orders with their decisions, shipments,
tracking states, temperature verdicts, exceptions and history.

Usage: .venv/bin/python bench/report.py [--days 30] [--orders-per-day 500] [--runs 5]
                                         [--database-url URL]

The month is generated (seeded, so every run builds the same one) into a fresh SQLite file and,
when ``--database-url`` or ``FINALMILE_TEST_POSTGRES_URL`` names a reachable PostgreSQL server,
into a schema of its own there (dropped after). On each database two things are timed, ``--runs``
times each, taking turns:

- baseline: one plain full scan of the tables the report reads (orders, decisions, shipments,
  history, temperature verdicts, exceptions): every row fetched, nothing computed;
- report: ``DeliveryReports.report`` over the whole month (every site), as ``GET
  /metrics/delivery`` and ``finalmile report`` run it.

It prints the median and best of each and the ratio report / baseline (the machine's speed
cancels out of the ratio, mostly).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, create_engine, insert, text
from sqlalchemy.exc import OperationalError

from finalmile.audit import AuditEvent
from finalmile.canonical import StorageClass
from finalmile.carriers import TrackingStatus
from finalmile.courier.driver_tables import CourierAssignment, Driver
from finalmile.db import create_db_engine, migrate, session_factory
from finalmile.evidence.temperature.evaluate import Verdict
from finalmile.evidence.temperature.models import TemperatureEvaluationRow, TemperatureLogRow
from finalmile.exceptions import ExceptionKind, OrderException
from finalmile.orders import BillingStatus, Order, OrderStatus
from finalmile.reports import DeliveryReports
from finalmile.rules import DecisionRecord, DeliveryType
from finalmile.shipments import Shipment, ShipmentState
from finalmile.tracking import TrackingState

SITES = {"demo": ZoneInfo("America/New_York"), "west": ZoneInfo("America/Los_Angeles")}
SCANNED = (
    "dispatch_order",
    "delivery_decision",
    "shipment",
    "audit_event",
    "temperature_evaluation",
    "order_exception",
)
BATCH = 5000
TRACKING = {
    OrderStatus.DELIVERED: TrackingStatus.DELIVERED,
    OrderStatus.FAILED_ATTEMPT: TrackingStatus.FAILURE,
    OrderStatus.RETURNED: TrackingStatus.RETURNED,
    OrderStatus.IN_TRANSIT: TrackingStatus.IN_TRANSIT,
}


class Month:
    """The generated rows, by table."""

    def __init__(self, first: dt.date, days: int, per_day: int, seed: int = 16) -> None:
        self.rows: dict[Any, list[dict[str, Any]]] = {
            table: []
            for table in (
                Order,
                DecisionRecord,
                Shipment,
                Driver,
                CourierAssignment,
                TrackingState,
                TemperatureLogRow,
                TemperatureEvaluationRow,
                OrderException,
                AuditEvent,
            )
        }
        self.rng = random.Random(seed)
        self.rows[Driver] = [
            {
                "id": n,
                "driver_id": f"d{n}",
                "name": f"Driver {n}",
                "token_prefix": f"bench{n}",
                "token_sha256": "0" * 64,
                "created_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            }
            for n in range(1, 9)
        ]
        for day in range(days):
            for number in range(per_day):
                self.order(day * per_day + number + 1, first + dt.timedelta(days=day), number)

    def order(self, pk: int, day: dt.date, number: int) -> None:
        rng = self.rng
        site = "west" if number % 5 == 0 else "demo"
        needed_by = dt.datetime.combine(day, dt.time(17), tzinfo=SITES[site]) - dt.timedelta(
            minutes=15 * rng.randrange(24)
        )
        created = needed_by - dt.timedelta(days=1, hours=rng.randrange(12))
        kind = rng.choices(
            [DeliveryType.CARRIER, DeliveryType.COURIER, DeliveryType.DROP_SHIP, DeliveryType.HOLD],
            [60, 30, 5, 5],
        )[0]
        status = OrderStatus.HELD
        if kind is not DeliveryType.HOLD:
            status = rng.choices(
                [
                    OrderStatus.DELIVERED,
                    OrderStatus.FAILED_ATTEMPT,
                    OrderStatus.RETURNED,
                    OrderStatus.IN_TRANSIT,
                    OrderStatus.CANCELLED,
                ],
                [85, 5, 3, 4, 3],
            )[0]
        refrigerated = rng.random() < 0.3
        history = [(OrderStatus.RECEIVED, created)]
        decided = created + dt.timedelta(hours=1)
        history.append(
            (OrderStatus.HELD if kind is DeliveryType.HOLD else OrderStatus.READY, decided)
        )
        carrier = {"carrier": "UPS", "courier": "courier", "drop_ship": "USPS"}.get(kind.value)
        self.rows[DecisionRecord].append(
            {
                "id": pk,
                "order_pk": pk,
                "order_version": 1,
                "site": site,
                "rule_set_version": 1,
                "delivery_type": kind,
                "carrier": carrier,
                "service": "ground",
                "cost": Decimal(rng.randrange(800, 6000)) / 100,
                "decision_encrypted": b"bench",
                "created_at": decided,
            }
        )
        billed = None
        if status not in (OrderStatus.HELD, OrderStatus.CANCELLED):
            shipped = created + dt.timedelta(hours=2)
            history.append((OrderStatus.DISPATCHED, shipped))
            self.shipment(pk, kind, carrier, shipped, status, needed_by)
            history.append((OrderStatus.IN_TRANSIT, shipped + dt.timedelta(hours=3)))
            if status is not OrderStatus.IN_TRANSIT:
                history.append((OrderStatus.OUT_FOR_DELIVERY, needed_by - dt.timedelta(hours=8)))
            if status is OrderStatus.FAILED_ATTEMPT or rng.random() < 0.08:
                failed = needed_by - dt.timedelta(hours=6)
                history.append((OrderStatus.FAILED_ATTEMPT, failed))
                self.exception(pk, ExceptionKind.FAILED_ATTEMPT, failed, status)
            if status in (OrderStatus.DELIVERED, OrderStatus.RETURNED):
                history.append(
                    (
                        OrderStatus.DELIVERED,
                        needed_by + dt.timedelta(minutes=rng.randrange(-300, 90)),
                    )
                )
            if status is OrderStatus.RETURNED:
                history.append((OrderStatus.RETURNED, needed_by + dt.timedelta(days=2)))
            if status is OrderStatus.DELIVERED and rng.random() < 0.8:
                billed = history[-1][1] + dt.timedelta(minutes=rng.randrange(30, 2880))
        elif status is OrderStatus.CANCELLED:
            history.append((OrderStatus.CANCELLED, decided + dt.timedelta(hours=1)))
        else:
            self.exception(pk, ExceptionKind.HELD, decided, status)
        self.rows[Order].append(
            {
                "id": pk,
                "connector": "default",
                "order_id": f"BENCH-{pk:07d}",
                "status": status,
                "status_at": history[-1][1],
                "billing_status": BillingStatus.CONFIRMED if billed else BillingStatus.NOT_READY,
                "version": 1,
                "storage": StorageClass.REFRIGERATED if refrigerated else StorageClass.AMBIENT,
                "needed_by": needed_by,
                "requires_signature": False,
                "content_sha256": f"{pk:064d}",
                "phi_encrypted": b"bench",
                "created_at": created,
                "updated_at": history[-1][1],
            }
        )
        self.history(pk, history, billed)
        if refrigerated and status is not OrderStatus.HELD:
            self.temperature(
                pk, needed_by, Verdict.EXCURSION if rng.random() < 0.05 else Verdict.PASS
            )

    def shipment(
        self,
        pk: int,
        kind: DeliveryType,
        carrier: str | None,
        at: dt.datetime,
        status: OrderStatus,
        needed_by: dt.datetime,
    ) -> None:
        courier = kind is DeliveryType.COURIER
        amount = (
            None
            if courier and self.rng.random() < 0.5
            else Decimal(self.rng.randrange(800, 6000)) / 100
        )
        self.rows[Shipment].append(
            {
                "id": pk,
                "key": f"bench-{pk}",
                "order_pk": pk,
                "order_id": f"BENCH-{pk:07d}",
                "account": "fleet" if courier else "easypost",
                "carrier_type": "courier" if courier else "easypost",
                "state": ShipmentState.PURCHASED,
                "carrier": carrier,
                "service": "ground",
                "amount": amount,
                "currency": "USD",
                "tracking_number": f"1Z{pk:010d}",
                "options": {},
                "created_at": at,
                "updated_at": at,
                "purchased_at": at,
            }
        )
        if courier:
            self.rows[CourierAssignment].append(
                {
                    "shipment_pk": pk,
                    "driver_pk": 1 + pk % 8,
                    "assigned_at": at,
                    "assigned_by": "bench",
                }
            )
        self.rows[TrackingState].append(
            {
                "shipment_pk": pk,
                "order_pk": pk,
                "status": TRACKING.get(status, TrackingStatus.IN_TRANSIT),
                "detail": "other",
                "status_at": needed_by,
                "updated_at": needed_by,
            }
        )

    def history(
        self, pk: int, steps: list[tuple[OrderStatus, dt.datetime]], billed: dt.datetime | None
    ) -> None:
        events = self.rows[AuditEvent]
        previous: OrderStatus | None = None
        for status, at in steps:
            events.append(_event(pk, "status", previous, status.value, at))
            previous = status
        if billed is not None:
            events.append(_event(pk, "billing", BillingStatus.NOT_READY, "confirmed", billed))

    def temperature(self, pk: int, at: dt.datetime, verdict: Verdict) -> None:
        self.rows[TemperatureLogRow].append(
            {
                "id": pk,
                "order_pk": pk,
                "layout": "generic",
                "interval_seconds": 300.0,
                "first_at": at,
                "last_at": at,
                "reading_count": 0,
                "readings": b"",
                "raw_sha256": f"{pk:064d}",
                "raw_encrypted": b"bench",
                "uploaded_at": at,
                "uploaded_by": "bench",
            }
        )
        self.rows[TemperatureEvaluationRow].append(
            {
                "log_id": pk,
                "order_pk": pk,
                "storage": StorageClass.REFRIGERATED,
                "verdict": verdict,
                "reasons": [],
                "summary": {},
                "limits": {},
                "evaluated_at": at,
            }
        )

    def exception(self, pk: int, kind: ExceptionKind, at: dt.datetime, status: OrderStatus) -> None:
        resolved = at + dt.timedelta(hours=3) if status is OrderStatus.DELIVERED else None
        self.rows[OrderException].append(
            {
                "order_pk": pk,
                "kind": kind,
                "reason": kind.value,
                "opened_at": at,
                "resolved_at": resolved,
                "resolved_by": "bench" if resolved else None,
                "resolution": "cleared" if resolved else None,
            }
        )


def _event(pk: int, action: str, before: Any, after: str, at: dt.datetime) -> dict[str, Any]:
    return {
        "at": at,
        "entity": "order",
        "entity_id": str(pk),
        "action": action,
        "actor": "bench",
        "from_status": None if before is None else str(before.value),
        "to_status": after,
        "detail": {"reason": "bench"},
    }


def load(engine: Engine, month: Month) -> None:
    sessions = session_factory(engine)
    with sessions() as session, session.begin():
        for table, rows in month.rows.items():
            for start in range(0, len(rows), BATCH):
                session.execute(insert(table), rows[start : start + BATCH])
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))


def timed(action: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        times.append(time.perf_counter() - began)
    return times


def bench(name: str, url: str, month: Month, first: dt.date, last: dt.date, runs: int) -> None:
    migrate(url)
    engine = create_db_engine(url)
    try:
        began = time.perf_counter()
        load(engine, month)
        print(
            f"{name}: {len(month.rows[Order]):,} orders, "
            f"{len(month.rows[AuditEvent]):,} history entries loaded in "
            f"{time.perf_counter() - began:.1f} s"
        )
        reports = DeliveryReports(sessions=session_factory(engine), zone=SITES["demo"], zones=SITES)

        def scan() -> int:
            with engine.connect() as connection:
                return sum(
                    len(connection.execute(text(f"SELECT * FROM {table}")).all())
                    for table in SCANNED
                )

        found = reports.report(first=first, last=last)
        base: list[float] = []
        measured: list[float] = []
        for _ in range(runs):  # taking turns, so load on the machine hits both alike
            base += timed(scan, 1)
            measured += timed(lambda: reports.report(first=first, last=last), 1)
        b, m = statistics.median(base), statistics.median(measured)
        print(
            f"{name}: baseline full scan of {', '.join(SCANNED)} ({scan():,} rows): "
            f"median {b:.3f} s, best {min(base):.3f} s"
        )
        print(
            f"{name}: report {first}..{last} ({len(found.rows)} rows, "
            f"{found.total.orders:,} orders, {found.total.delivered:,} delivered, "
            f"on time {found.total.on_time_rate}): median {m:.3f} s, best {min(measured):.3f} s"
        )
        print(
            f"{name}: report / baseline = {m / b:.2f}x (median), "
            f"{min(measured) / min(base):.2f}x (best)"
        )
    finally:
        engine.dispose()


@contextmanager
def postgres_schema(url: str) -> Iterator[str | None]:
    """A schema of its own on the PostgreSQL server at ``url`` (None if it is not reachable)."""
    schema = f"bench_report_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError:
        print("postgresql: not reachable, skipped")
        admin.dispose()
        yield None
        return
    separator = "&" if "?" in url else "?"
    try:
        yield f"{url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--orders-per-day", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("FINALMILE_TEST_POSTGRES_URL"),
        help="a PostgreSQL server to run on as well (default: FINALMILE_TEST_POSTGRES_URL)",
    )
    args = parser.parse_args()
    first = dt.date.today() - dt.timedelta(days=args.days + 3)
    last = first + dt.timedelta(days=args.days - 1)
    began = time.perf_counter()
    month = Month(first, args.days, args.orders_per_day)
    print(
        f"generated {args.days} days x {args.orders_per_day} orders in "
        f"{time.perf_counter() - began:.1f} s"
    )
    with tempfile.TemporaryDirectory() as tmp:
        bench("sqlite", f"sqlite:///{Path(tmp) / 'report.db'}", month, first, last, args.runs)
    if args.database_url and args.database_url.startswith("postgresql"):
        with postgres_schema(args.database_url) as url:
            if url is not None:
                bench("postgresql", url, month, first, last, args.runs)


if __name__ == "__main__":
    main()
