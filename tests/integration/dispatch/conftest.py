"""Dispatch fixtures: the demo site without its courier, so a carrier rate wins, and services
that decide from live sandbox rates."""

from __future__ import annotations

from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

import pytest
import yaml

from finalmile.app import Services, build_services
from finalmile.config.settings import Settings
from finalmile_sandbox.server import SandboxServer
from tests.integration.shipments.conftest import carrier_config, sandbox  # noqa: F401


@pytest.fixture
def live_settings(settings: Settings, sandbox: SandboxServer, tmp_path: Path) -> Settings:  # noqa: F811
    """Sandbox carrier accounts, live quotes, and the demo site shipping by carrier only."""
    demo = yaml.safe_load(
        files("finalmile.config.defaults").joinpath("sites/demo.yaml").read_text("utf-8")
    )
    del demo["courier"]
    sites = tmp_path / "config" / "sites"
    sites.mkdir(parents=True)
    (tmp_path / "config" / "connectors").mkdir()
    (sites / "demo.yaml").write_text(yaml.safe_dump(demo), "utf-8")
    return settings.model_copy(
        update={
            # Latency faults here slow a batch down; they must never time a call out, however
            # loaded the machine (FAST's 1 s timeout left 0.3 s beside a 0.7 s delay).
            "carriers": carrier_config(sandbox, timeout_seconds=10.0),
            "shipment_lease_seconds": 30.0,
            "config_dir": tmp_path / "config",
            "quotes": "live",
        }
    )


@pytest.fixture
def live(live_settings: Settings) -> Iterator[Services]:
    """Services deciding from live sandbox rates."""
    built = build_services(live_settings)
    yield built
    built.close()
