"""Connector transports started by the service: dedicated MLLP ports and scanned drop folders."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from finalmile.app import Services
from finalmile.config.settings import Settings
from finalmile.connectors.mllp.client import MllpClient
from finalmile.main import create_app
from finalmile.orders.models import Order
from finalmile_devtools.process import free_port
from tests.conftest import read_fixture

EXAMPLES = Path(__file__).parents[2] / "examples" / "connectors"


def _send(port: int, message: bytes) -> bytes:
    async def exchange() -> bytes:
        async with MllpClient("127.0.0.1", port) as client:
            return await client.send(message)

    return asyncio.run(exchange())


def test_a_connector_with_its_own_port_is_served_with_its_profile(
    settings: Settings, tmp_path: Path
) -> None:
    port = free_port()
    (tmp_path / "connectors").mkdir()
    profile = (
        (EXAMPLES / "nte-hl7.yaml").read_text().replace("mllp_port: 2577", f"mllp_port: {port}")
    )
    (tmp_path / "connectors" / "nte-hl7.yaml").write_text(profile)
    with TestClient(create_app(settings.model_copy(update={"config_dir": tmp_path}))) as client:
        assert set(client.app.state.mllp_ports) == {"default", "nte-hl7"}
        assert client.app.state.mllp_ports["nte-hl7"] == port
        ack = _send(port, (EXAMPLES / "samples" / "nte-hl7.hl7").read_bytes())
        assert b"MSA|AA|NTE-8001" in ack
        services: Services = client.app.state.services
        with services.sessions() as session:
            order = session.scalars(select(Order)).one()
        assert (order.connector, order.storage, order.requires_signature) == (
            "nte-hl7",
            "refrigerated",
            True,
        )


def test_the_service_scans_drop_folders(settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "connectors").mkdir()
    (tmp_path / "connectors" / "files.yaml").write_text(
        "csv:\n  drop_folder: {path: drop, poll_seconds: 0.05, settle_seconds: 0}\n"
    )
    with TestClient(create_app(settings.model_copy(update={"config_dir": tmp_path}))) as client:
        incoming = tmp_path / "drop" / "incoming"
        (incoming / "orders.csv").write_bytes(read_fixture("csv", "orders_bom_crlf.csv"))
        processed = tmp_path / "drop" / "processed" / "orders.csv"
        deadline = time.monotonic() + 20
        while not processed.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert processed.exists()
        services: Services = client.app.state.services
        with services.sessions() as session:
            orders = session.scalars(select(Order.order_id).where(Order.connector == "files"))
            assert sorted(orders) == ["RX-1001", "RX-1002"]
