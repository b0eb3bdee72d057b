"""A planted patient never appears in any log output, whatever path a message takes."""

from __future__ import annotations

import asyncio

import pytest
from fastapi.testclient import TestClient

from finalmile.app import Services
from finalmile.auth.models import Scope
from finalmile.auth.service import create_key
from finalmile.config.settings import Settings
from finalmile.connectors.mllp.client import MllpClient
from finalmile.logging import configure_logging
from finalmile.main import create_app
from tests.hl7_builder import (
    PATIENT_BIRTH,
    PATIENT_FAMILY,
    PATIENT_GIVEN,
    PATIENT_PHONE_DIGITS,
    PATIENT_STREET,
    rde,
)

PHI = [
    PATIENT_FAMILY,
    PATIENT_GIVEN,
    PATIENT_STREET,
    "Juniper",
    PATIENT_PHONE_DIGITS,
    PATIENT_PHONE_DIGITS[3:6] + "-" + PATIENT_PHONE_DIGITS[6:],
    PATIENT_BIRTH,
    "1958-03-17",
    "Leave with concierge",
]


def test_no_patient_data_in_logs(settings: Settings, capfd: pytest.CaptureFixture[str]) -> None:
    configure_logging("DEBUG")
    messages = [
        rde("L1", "RX-L1"),
        rde("L1", "RX-L1"),  # resend
        rde("L2", "RX-L2", birth="1958x317"),  # rejected: bad PID-7
        rde("L3", "RX-L3", storage="Q"),  # rejected: bad ZDL-2
        rde("L4", "RX-L4", family="Quillfeather\\F\\Smith"),
        rde("L5", "RX-L1", order_control="CA"),
        b"MSH|^~\\&|PMS|PHARM|||||RDE^O11|L6|P|2.5.1\rPID|1||" + PATIENT_FAMILY.encode(),
    ]
    with TestClient(create_app(settings)) as client:

        async def send_all() -> None:
            async with MllpClient("127.0.0.1", client.app.state.mllp_port, timeout=10) as mllp:
                for message in messages:
                    await mllp.send(message)

        asyncio.run(send_all())
        services: Services = client.app.state.services
        with services.sessions() as session, session.begin():
            key = create_key(session=session, name="t", scopes=[Scope.ADMIN]).token
        headers = {"X-API-Key": key}
        client.post("/hl7/v2", content=rde("L7", "RX-L7", quantity="0"), headers=headers)
        client.get("/orders/RX-L4", headers=headers)
    captured = capfd.readouterr()
    output = captured.out + captured.err
    assert "mllp_connected" in output  # the logs were captured at all
    assert "finalmile_started" in output
    leaked = [value for value in PHI if value in output]
    assert leaked == []
