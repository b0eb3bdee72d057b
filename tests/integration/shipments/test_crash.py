"""Worker processes: SIGKILL one mid-batch of 500 orders under a fault storm, or run two on the
same batch; either way exactly one label per order.

The worker is a real ``finalmile ship`` process buying through the EasyPost SDK from the sandbox
(which runs here, so it outlives the worker). It is killed once a third of the labels are sold;
``finalmile shipments recover`` then reconciles what the kill left open, and running the batch
again buys the rest. The sandbox's own records are the judge.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from finalmile.app import build_services
from finalmile.config.settings import Settings
from finalmile.shipments.models import ShipmentState
from finalmile_sandbox.faults import Fault, FaultKind
from finalmile_sandbox.server import SandboxServer
from tests.conftest import POSTGRES_URL
from tests.integration.shipments.conftest import carrier_config, ingest_orders, labels_by_order

ORDERS = 500
LEASE_SECONDS = 2.0
STORM = [
    Fault(kind=FaultKind.RATE_LIMIT, retry_after=0, probability=0.05, seed=11),
    Fault(kind=FaultKind.SERVER_ERROR, status=500, probability=0.03, seed=12),
    Fault(kind=FaultKind.DROP_CONNECTION, probability=0.02, seed=13),
    Fault(
        kind=FaultKind.DROP_CONNECTION,
        after_commit=True,
        probability=0.03,
        seed=14,
        operation="easypost.shipment.buy",
    ),
    Fault(
        kind=FaultKind.TIMEOUT_AFTER_COMMIT,
        hold_seconds=2.0,
        probability=0.02,
        seed=15,
        operation="easypost.shipment.buy",
    ),
]


def finalmile(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "finalmile", *args],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


@pytest.mark.slow
def test_sigkill_mid_batch_under_faults_buys_exactly_one_label_per_order(
    settings: Settings, sandbox: SandboxServer, tmp_path: Path
) -> None:
    if POSTGRES_URL and settings.resolved_database_url.startswith("sqlite"):
        pytest.skip("runs once, on PostgreSQL (the multi-worker backend) when it is configured")
    services = build_services(settings)
    order_ids = ingest_orders(services, ORDERS)
    services.close()
    ids_file = tmp_path / "orders.txt"
    ids_file.write_text("\n".join(order_ids))
    assert settings.secret_key is not None
    env = {
        **os.environ,
        "FINALMILE_DATABASE_URL": settings.resolved_database_url,
        "FINALMILE_DATA_DIR": str(settings.data_dir),
        "FINALMILE_SECRET_KEY": settings.secret_key.get_secret_value(),
        "FINALMILE_CARRIERS": json.dumps(carrier_config(sandbox)),
        "FINALMILE_SHIPMENT_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    batch = ["ship", "--carrier", "easypost", "--from-file", str(ids_file), "--workers", "24"]
    log = tmp_path / "worker.log"
    for fault in STORM:
        sandbox.add_fault(fault)

    worker = finalmile(batch, env, log)
    deadline = time.monotonic() + 120
    while sum(labels_by_order(sandbox).values()) < ORDERS // 3:
        assert worker.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, "the worker sold too few labels in time"
        time.sleep(0.05)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    killed_at = sum(labels_by_order(sandbox).values())
    assert killed_at < ORDERS

    time.sleep(LEASE_SECONDS)  # the dead worker's leases run out
    recovery = finalmile(["shipments", "recover"], env, log)
    assert recovery.wait(120) == 0, log.read_text()[-3000:]
    rerun = finalmile(batch, env, log)
    assert rerun.wait(180) == 0, log.read_text()[-3000:]
    # Labels that could not be downloaded under the storm are fetched by the recovery pass.
    labels = finalmile(["shipments", "recover"], env, log)
    assert labels.wait(120) == 0, log.read_text()[-3000:]

    assert labels_by_order(sandbox) == dict.fromkeys(order_ids, 1)
    services = build_services(settings)
    try:
        for order_id in order_ids:
            [row] = services.shipments.for_order(order_id=order_id)
            assert row.state is ShipmentState.PURCHASED and row.tracking_number
            assert services.shipments.label(row)[0].startswith(b"%PDF")
    finally:
        services.close()


@pytest.mark.slow
def test_two_workers_on_the_same_batch_buy_each_label_once(
    settings: Settings, sandbox: SandboxServer, tmp_path: Path
) -> None:
    if not settings.resolved_database_url.startswith("postgresql"):
        pytest.skip("several worker processes share PostgreSQL only (SQLite serves one)")
    services = build_services(settings)
    order_ids = ingest_orders(services, 120)
    services.close()
    ids_file = tmp_path / "orders.txt"
    ids_file.write_text("\n".join(order_ids))
    assert settings.secret_key is not None
    env = {
        **os.environ,
        "FINALMILE_DATABASE_URL": settings.resolved_database_url,
        "FINALMILE_DATA_DIR": str(settings.data_dir),
        "FINALMILE_SECRET_KEY": settings.secret_key.get_secret_value(),
        "FINALMILE_CARRIERS": json.dumps(carrier_config(sandbox)),
    }
    batch = ["ship", "--carrier", "shippo", "--from-file", str(ids_file), "--workers", "12"]
    log = tmp_path / "workers.log"
    for fault in STORM[:3]:
        sandbox.add_fault(fault)

    workers = [finalmile(batch, env, log) for _ in range(2)]
    codes = [worker.wait(180) for worker in workers]

    assert set(codes) <= {0, 3}, log.read_text()[-3000:]  # 3: the other worker held an order
    sandbox.clear_faults()
    recovery = finalmile(["shipments", "recover"], env, log)
    assert recovery.wait(120) == 0, log.read_text()[-3000:]
    assert labels_by_order(sandbox) == dict.fromkeys(order_ids, 1)
