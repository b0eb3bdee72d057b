"""A sandbox with a SQLite file outlives restarts; ``finalmile sandbox`` serves it alone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import easypost
import pytest
import requests
from easypost.errors import InvalidRequestError

from finalmile_devtools import free_port
from finalmile_devtools.process import STARTUP_TIMEOUT_SECONDS
from finalmile_devtools.wait_http import wait_for
from finalmile_sandbox.clock import SandboxClock
from finalmile_sandbox.engine import Sandbox
from finalmile_sandbox.server import SandboxServer
from finalmile_sandbox.store import SandboxStore
from tests.integration.sandbox.conftest import BOSTON, CAMBRIDGE, FRIDAY, PARCEL


def _serve(path: Path) -> SandboxServer:
    world = Sandbox(clock=SandboxClock(FRIDAY, rate=0), store=SandboxStore(path))
    return SandboxServer(world, tick_seconds=None)


def test_a_restarted_sandbox_remembers_the_label(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.db"
    with _serve(path) as first:
        client = easypost.EasyPostClient("k", api_base=first.easypost_base, timeout=5)
        shipment = client.shipment.create(from_address=BOSTON, to_address=CAMBRIDGE, parcel=PARCEL)
        bought = client.shipment.buy(shipment.id, rate=shipment.lowest_rate())
        client._requests_session.close()

    with _serve(path) as second:
        client = easypost.EasyPostClient("k", api_base=second.easypost_base, timeout=5)
        again = client.shipment.retrieve(shipment.id)
        with pytest.raises(InvalidRequestError) as caught:
            client.shipment.buy(shipment.id, rate=shipment.lowest_rate())
        tracker = client.tracker.create(tracking_code=bought.tracking_code)
        client._requests_session.close()

    assert again.tracking_code == bought.tracking_code
    assert caught.value.code == "SHIPMENT.POSTAGE.EXISTS"
    assert tracker.id == bought.tracker.id


@pytest.mark.slow
def test_finalmile_sandbox_command_serves_both_apis(tmp_path: Path) -> None:
    port = free_port()
    command = [sys.executable, "-m", "finalmile", "sandbox", "--port", str(port)]
    command += ["--db", str(tmp_path / "sandbox.db"), "--start", "2026-11-20T10:00:00-05:00"]
    command += ["--clock-rate", "0"]
    child = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_for(f"{base}/_sandbox/clock", STARTUP_TIMEOUT_SECONDS), "sandbox did not start"
        clock = requests.get(f"{base}/_sandbox/clock", timeout=5).json()
        easypost_answer = requests.get(f"{base}/easypost/v2/trackers", auth=("k", ""), timeout=5)
        shippo_answer = requests.get(
            f"{base}/shippo/transactions", headers={"Authorization": "ShippoToken k"}, timeout=5
        )
    finally:
        child.terminate()
        output, _ = child.communicate(timeout=30)

    assert clock == {"now": "2026-11-20T15:00:00Z", "rate": 0.0, "webhooks_sent": 0}
    assert easypost_answer.status_code == shippo_answer.status_code == 200
    assert f"EasyPost api_base: {base}/easypost/v2".encode() in output
    assert (tmp_path / "sandbox.db").exists()
