"""Shipping logs name orders and shipments, never the patient: refusals, faults, recovery."""

from __future__ import annotations

import pytest

from finalmile.app import Services
from finalmile.errors import FinalmileError
from finalmile.logging import configure_logging
from finalmile.shipments.recovery import recover
from finalmile.shipments.service import BuyRequest
from finalmile_sandbox.faults import Fault, FaultKind
from finalmile_sandbox.server import SandboxServer
from tests.integration.shipments.conftest import ingest_orders

PHI = ["Testpatient", "TESTPATIENT", "Test Street", "TEST STREET", "Springfield", "SPRINGFIELD"]


def test_no_patient_data_in_shipping_logs(
    shipping: Services, sandbox: SandboxServer, capfd: pytest.CaptureFixture[str]
) -> None:
    configure_logging("DEBUG")
    order_ids = ingest_orders(shipping, 6)
    for fault in (
        Fault(kind=FaultKind.SERVER_ERROR, status=500, probability=0.3, seed=7),
        Fault(kind=FaultKind.DROP_CONNECTION, after_commit=True, times=2, operation="*.buy"),
    ):
        sandbox.add_fault(fault)
    shipping.shipments.buy_many(
        [BuyRequest(o, "easypost" if n % 2 else "shippo") for n, o in enumerate(order_ids[:4])],
        workers=4,
    )
    for order_id in order_ids[4:]:
        with pytest.raises(FinalmileError):
            shipping.shipments.buy(order_id=order_id, account="easypost", service="teleport")
    sandbox.clear_faults()
    recover(shipping.shipments)

    output = capfd.readouterr()
    logged = output.out + output.err
    assert "shipment" in logged  # something was logged
    for value in PHI:
        assert value not in logged, value
