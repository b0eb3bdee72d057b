"""Label throughput: 1,000 orders bought through EasyPost against the sandbox at 200 ms latency.

Usage: .venv/bin/python bench/labels.py [--orders 1000] [--latency-ms 200] [--concurrency 16]
       [--database-url postgresql+psycopg://...]   (default: a fresh SQLite file)

The sandbox runs in a child process (its own CPU) and delays every API call by the injected
latency. finalmile buys one label per order with ``ShipmentService.buy_many``: rate, buy (each one
API call), download and keep the label, five database transactions, all within the account's
limit of ``--concurrency`` requests in flight. The floor is what that limit allows at best:
API calls x latency / concurrency. The in-run baseline is the bare SDK doing the same two calls
per order on as many threads, with no database, no state machine and no label download.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.queues import Queue
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from easypost.easypost_client import EasyPostClient

from finalmile.app import build_services
from finalmile.config.settings import Settings
from finalmile.db import migrate
from finalmile.shipments.models import ShipmentState
from finalmile.shipments.service import BuyRequest
from finalmile_devtools.synthetic import order_id_for, rde_o11
from finalmile_sandbox.server import SandboxServer
from mllp_ingest import fresh_database  # bench/ is the script's directory

SHIP_FROM = {
    "name": "Synthetic Specialty Pharmacy",
    "line1": "1 Test Plaza",
    "city": "Boston",
    "state": "MA",
    "postal_code": "02110",
}
TO = {"street1": "100 Test Street", "city": "Springfield", "state": "MA", "zip": "01101"}
CALLS_PER_ORDER = 2  # POST /shipments, POST /shipments/{id}/buy


def serve_sandbox(urls: Queue[str], stop: Any) -> None:
    """Child process: serve a sandbox until ``stop`` is set."""
    with SandboxServer(tick_seconds=None) as server:
        urls.put(server.url)
        stop.wait()


def add_latency(sandbox_url: str, latency_ms: int) -> None:
    """Delay every EasyPost API call by ``latency_ms`` (the sandbox's fault API)."""
    body = json.dumps([{"kind": "latency", "api": "easypost", "latency_ms": latency_ms}])
    request = urllib.request.Request(
        f"{sandbox_url}_sandbox/faults",
        data=body.encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status < 300


def bare_sdk(api_base: str, orders: int, concurrency: int) -> float:
    """Seconds for the bare SDK to rate and buy ``orders`` shipments on ``concurrency`` threads."""

    local = threading.local()

    def one(n: int) -> None:
        client = getattr(local, "client", None)
        if client is None:  # one client (one connection) per thread, as finalmile does
            client = local.client = EasyPostClient("EZTK_bench", api_base=api_base, timeout=30)
        shipment = client.shipment.create(
            to_address=TO,
            from_address={**SHIP_FROM, "street1": SHIP_FROM["line1"], "zip": "02110"},
            parcel={"length": 12, "width": 10, "height": 8, "weight": 48},
            reference=f"baseline-{n}",
        )
        cheapest = min(shipment.rates, key=lambda rate: float(rate.rate))
        client.shipment.buy(shipment.id, rate={"id": cheapest.id})

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, range(orders)))
    return time.perf_counter() - started


def finalmile(
    api_base: str, orders: int, concurrency: int, workdir: Path, database_url: str
) -> tuple[float, int]:
    """Seconds for finalmile to ship ``orders`` orders, and how many ended purchased."""
    carriers = {
        "easypost": {
            "type": "easypost",
            "api_key": "EZTK_bench",
            "api_base": api_base,
            "ship_from": SHIP_FROM,
            "max_concurrency": concurrency,
            "requests_per_second": 10_000,
            "timeout_seconds": 30,
        }
    }
    settings = Settings(
        data_dir=workdir,
        database_url=database_url,
        secret_key=Fernet.generate_key().decode(),
        carriers=carriers,
        mllp_port=None,
    )
    migrate(settings.resolved_database_url)
    services = build_services(settings)
    try:
        outcomes = services.intake.ingest_hl7(
            [rde_o11(n) for n in range(orders)], connector="default"
        )
        assert all(o.error is None for o in outcomes)
        requests = [BuyRequest(order_id_for(n), "easypost") for n in range(orders)]
        started = time.perf_counter()
        results = services.shipments.buy_many(requests, workers=concurrency * 2)
        elapsed = time.perf_counter() - started
    finally:
        services.close()
    bought = sum(
        1 for r in results if r.shipment is not None and r.shipment.state is ShipmentState.PURCHASED
    )
    return elapsed, bought


def main() -> None:
    """Run both passes and print elapsed times next to the floor."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument(
        "--latency-ms", type=int, default=200, choices=range(1, 10_001), metavar="MS"
    )
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--database-url", help="PostgreSQL URL (a fresh schema is made and dropped); default SQLite"
    )
    args = parser.parse_args()

    context = multiprocessing.get_context("spawn")
    urls: Queue[str] = context.Queue()
    stop = context.Event()
    child = context.Process(target=serve_sandbox, args=(urls, stop), daemon=True)
    child.start()
    try:
        sandbox_url = urls.get(timeout=60)
        add_latency(sandbox_url, args.latency_ms)
        api_base = f"{sandbox_url}easypost/v2"
        calls = args.orders * CALLS_PER_ORDER
        floor = calls * args.latency_ms / 1000 / args.concurrency
        baseline = bare_sdk(api_base, args.orders, args.concurrency)
        with (
            tempfile.TemporaryDirectory() as tmp,
            fresh_database(args.database_url, Path(tmp)) as database_url,
        ):
            elapsed, bought = finalmile(
                api_base, args.orders, args.concurrency, Path(tmp), database_url
            )
    finally:
        stop.set()
        child.join(30)
    database = "PostgreSQL" if (args.database_url or "").startswith("postgresql") else "SQLite"
    print(
        f"labels: {args.orders} orders, {calls} API calls, {args.latency_ms} ms latency, "
        f"{args.concurrency} requests in flight, {database}"
    )
    print(f"  floor (calls x latency / concurrency) {floor:8.2f} s")
    print(
        f"  bare SDK, {args.concurrency} threads              {baseline:8.2f} s"
        f"  {baseline / floor:5.2f}x floor"
    )
    print(
        f"  finalmile buy_many                  {elapsed:8.2f} s  {elapsed / floor:5.2f}x floor"
        f"  {elapsed / baseline:5.2f}x bare SDK  ({bought}/{args.orders} purchased, labels kept)"
    )


if __name__ == "__main__":
    main()
