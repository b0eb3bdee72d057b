"""Shipping fixtures: the carrier sandbox on loopback, carrier accounts pointed at it, orders.

The sandbox is the process boundary: finalmile's real carrier code and the official SDKs talk
HTTP to it. Labels are counted on the sandbox side (``labels_by_order``), so a label bought twice
or lost shows up there whatever finalmile's own tables say.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from finalmile.app import Services, build_services
from finalmile.config.settings import Settings
from finalmile_devtools.synthetic import order_id_for, rde_o11
from finalmile_sandbox.records import ShipmentRecord
from finalmile_sandbox.server import SandboxServer

SHIP_FROM = {
    "name": "Synthetic Specialty Pharmacy",
    "line1": "1 Test Plaza",
    "city": "Boston",
    "state": "MA",
    "postal_code": "02110",
    "country": "US",
}
#: Fast retries and a short timeout so fault tests stay quick (the sandbox holds answers 2 s).
FAST = {
    "ship_from": SHIP_FROM,
    "timeout_seconds": 1.0,
    "retry_initial_seconds": 0.01,
    "retry_max_wait_seconds": 0.1,
    "buy_attempts": 8,
    "max_concurrency": 16,
    "requests_per_second": 1000.0,
}


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    """A fresh carrier sandbox (EasyPost and Shippo) on a free loopback port."""
    with SandboxServer(tick_seconds=None) as server:
        yield server


def carrier_config(server: SandboxServer, **overrides: Any) -> dict[str, dict[str, Any]]:
    """EasyPost, Shippo and in-house courier accounts pointed at ``server``."""
    common = {**FAST, **overrides}
    return {
        "easypost": {
            "type": "easypost",
            "api_key": "EZTK_sandbox_key",
            "api_base": server.easypost_base,
            **common,
        },
        "shippo": {
            "type": "shippo",
            "api_key": "shippo_test_sandbox",
            "server_url": server.shippo_base,
            "label_poll_seconds": 0.05,
            **common,
        },
        "drivers": {"type": "courier", **common},
        "maker": {"type": "dropship", "track_with": "easypost", **common},
    }


@pytest.fixture
def ship_settings(settings: Settings, sandbox: SandboxServer) -> Settings:
    """The test settings with carrier accounts on the sandbox."""
    return settings.model_copy(
        update={"carriers": carrier_config(sandbox), "shipment_lease_seconds": 30.0}
    )


@pytest.fixture
def shipping(ship_settings: Settings) -> Iterator[Services]:
    """Services with the sandbox carrier accounts configured."""
    built = build_services(ship_settings)
    yield built
    built.close()


def ingest_orders(services: Services, count: int, start: int = 0) -> list[str]:
    """Store ``count`` synthetic orders; returns their order ids."""
    raws = [rde_o11(n) for n in range(start, start + count)]
    outcomes = services.intake.ingest_hl7(raws, connector="default")
    assert all(o.error is None for o in outcomes)
    return [order_id_for(n) for n in range(start, start + count)]


def labels_by_order(server: SandboxServer) -> Counter[str]:
    """How many labels the sandbox sold per order (EasyPost reference / Shippo metadata)."""

    def count() -> Counter[str]:
        bought = Counter[str]()
        for record in server.sandbox.store.all(ShipmentRecord):
            if record.purchase is not None:
                bought[record.reference or record.metadata or "?"] += 1
        return bought

    return server.call(count)
