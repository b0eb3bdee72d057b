"""The ``make run`` demo end to end, with real servers on free loopback ports: the carrier sandbox,
``finalmile demo`` and ``finalmile serve`` as child processes, and the fake PMS. DEMO-RX-011 is
decided by carrier from live sandbox rates, dispatched as decided, goes to delivered by signed
sandbox tracker events, and its billing confirmation reaches the fake PMS signed, once; a second
run (demo and service restarted) bills nothing more."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pydantic import SecretStr

from finalmile.config.settings import Settings
from finalmile_devtools.demo_config import write_demo_config
from finalmile_devtools.demo_delivery import DEMO_ORDER, from_settings
from finalmile_devtools.fake_pms import SECRET_ENV, FakePms
from finalmile_devtools.process import free_port
from finalmile_devtools.wait_http import wait_for
from finalmile_sandbox.clock import SandboxClock
from finalmile_sandbox.engine import Sandbox
from finalmile_sandbox.server import SandboxServer
from tests.webhook_contract import assert_declared

pytestmark = pytest.mark.slow

EASYPOST_SECRET = "demo-test-easypost-secret"
PMS_SECRET = "whsec_ZGVtbyB0ZXN0OiB0aGUgZmFrZSBQTVMncyBzZWNyZXQ="
SHIP_FROM = {
    "name": "Demo Specialty Pharmacy",
    "line1": "1 Test Plaza",
    "city": "Boston",
    "state": "MA",
    "postal_code": "02110",
}


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    """The carrier sandbox at the time ``finalmile demo`` decides (now, as under ``make run``),
    its clock frozen until the demo moves it."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with SandboxServer(Sandbox(clock=SandboxClock(now, rate=0)), tick_seconds=None) as server:
        yield server


@pytest.fixture
def pms(tmp_path: Path) -> Iterator[FakePms]:
    """The fake PMS with its events file under the data directory."""
    events = tmp_path / "data" / "fake-pms" / "events.jsonl"
    with FakePms(secret=PMS_SECRET, events_file=events) as server:
        yield server


@pytest.fixture
def demo_env(tmp_path: Path, sandbox: SandboxServer, pms: FakePms) -> dict[str, str]:
    """What ``make run`` exports, on free ports and in a fresh data directory."""
    config_dir = tmp_path / "demo-config"
    write_demo_config(config_dir, pms_url=pms.url)
    carriers = {
        "easypost": {
            "type": "easypost",
            "api_key": "EZTK_sandbox",
            "api_base": sandbox.easypost_base,
            "ship_from": SHIP_FROM,
        }
    }
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("FINALMILE_")}
    return {
        **inherited,
        "FINALMILE_DATA_DIR": str(tmp_path / "data"),
        "FINALMILE_CONFIG_DIR": str(config_dir),
        "FINALMILE_HTTP_PORT": str(free_port()),
        "FINALMILE_MLLP_PORT": str(free_port()),
        "FINALMILE_CARRIERS": json.dumps(carriers),
        "FINALMILE_QUOTES": "live",
        "FINALMILE_EASYPOST_WEBHOOK_SECRET": EASYPOST_SECRET,
        "FINALMILE_OUTBOX_POLL_SECONDS": "0.2",
        "FINALMILE_DECIDE_INTERVAL_SECONDS": "0",
        SECRET_ENV: PMS_SECRET,
    }


def _settings(env: dict[str, str]) -> Settings:
    return Settings(
        data_dir=Path(env["FINALMILE_DATA_DIR"]),
        http_port=int(env["FINALMILE_HTTP_PORT"]),
        easypost_webhook_secret=SecretStr(EASYPOST_SECRET),
    )


def _finalmile_demo(env: dict[str, str], log: Path) -> str:
    with log.open("ab") as out:
        subprocess.run(
            [sys.executable, "-m", "finalmile", "demo"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
            timeout=120,
        )
    return log.read_text()


@contextmanager
def _served(env: dict[str, str], log: Path) -> Iterator[None]:
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "finalmile", "serve"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        url = f"http://127.0.0.1:{env['FINALMILE_HTTP_PORT']}/healthz"
        assert wait_for(url, 60), log.read_text()[-3000:]
        yield
    finally:
        process.terminate()
        process.wait(30)


def _confirmations(pms: FakePms) -> list[str]:
    return [
        e.idempotency_key
        for e in pms.log.events()
        if e.order_id == DEMO_ORDER and e.type == "order.delivery_confirmed"
    ]


def test_make_run_demo_delivers_and_bills_once(
    tmp_path: Path, demo_env: dict[str, str], sandbox: SandboxServer, pms: FakePms
) -> None:
    log = tmp_path / "demo.log"
    printed: list[str] = []

    first_demo = _finalmile_demo(demo_env, log)
    with _served(demo_env, log):
        demo = from_settings(_settings(demo_env), sandbox_url=sandbox.url, pms_url=pms.base_url)
        demo.step_pause_seconds = 0
        demo.say = printed.append
        moved = demo.run()
    second_demo = _finalmile_demo(demo_env, log)
    with _served(demo_env, log):
        again = from_settings(_settings(demo_env), sandbox_url=sandbox.url, pms_url=pms.base_url)
        again.say = printed.append
        moved_again = again.run()

    decided = re.search(
        r"demo decision: DEMO-RX-011 -> carrier via easypost, service (\S+):(\S+)", first_demo
    )
    assert decided, first_demo
    carrier, service = decided.groups()
    assert (
        f"demo shipment: DEMO-RX-011 dispatched as decided: account easypost, {carrier} {service},"
        in first_demo
    )
    said = "\n".join(printed)
    assert f"rules engine decision: carrier via easypost, service {carrier}:{service}" in said
    assert f"label bought by dispatch as decided: account easypost ({carrier} {service})" in said
    assert "DEMO-RX-001" not in "".join(printed)
    assert (moved, moved_again) == (True, False)
    assert {d.status for d in sandbox.dispatcher.deliveries} == {200}
    statuses = [line.rsplit(" ", 1)[-1] for line in printed if "tracking status" in line]
    assert statuses[-3:] == ["in_transit", "out_for_delivery", "delivered"]
    assert any("proof of delivery complete (carrier" in line for line in printed)
    journey = "received -> ready -> dispatched -> in_transit -> out_for_delivery -> delivered"
    reported = f"finalmile: DEMO-RX-011 is delivered, billing confirmed ({journey})"
    assert "reached the fake PMS" in printed[-4] and printed[-3] == reported
    assert "already delivered and billed" in printed[-2] and printed[-1] == reported
    [confirmation] = _confirmations(pms)
    assert confirmation.startswith("default:delivery_confirmed:")
    assert [e.type for e in pms.log.events()] == [
        "order.shipped",
        "order.delivered",
        "order.delivery_confirmed",
    ]
    # Every body sent fits the schema /openapi.json declares for its type.
    sent = [request["body"] for request in pms.receiver.requests()]
    assert {assert_declared(body) for body in sent} == {
        "order.shipped",
        "order.delivered",
        "order.delivery_confirmed",
    }
    stored = (tmp_path / "data" / "fake-pms" / "events.jsonl").read_text()
    assert len(stored.splitlines()) == 3
    assert "Demopatient" not in stored + "".join(printed)
    assert "demo API key (admin, kept in" in second_demo.split("demo API key (admin, new", 1)[1]
