"""Uncertain purchases against a misbehaving sandbox: a label is bought once, and never lost.

Every fault is injected by the sandbox at the HTTP boundary; the SDKs and finalmile's retry,
reconcile and recovery code run unchanged. Labels are counted on the sandbox side.
"""

from __future__ import annotations

import pytest

from finalmile.app import Services
from finalmile.audit import history
from finalmile.errors import RetriableError
from finalmile.shipments.models import ShipmentState
from finalmile.shipments.recovery import recover
from finalmile.shipments.service import BuyRequest
from finalmile_sandbox.faults import Fault, FaultKind
from finalmile_sandbox.server import SandboxServer
from tests.integration.shipments.conftest import ingest_orders, labels_by_order

BUY = {"easypost": "easypost.shipment.buy", "shippo": "shippo.transaction.create"}
HUBS = sorted(BUY)

RECOVERY_PASSES = 5


def actions(shipping: Services, shipment_id: int) -> list[str]:
    with shipping.sessions() as session:
        return [e.action for e in history(session, entity="shipment", entity_id=shipment_id)]


@pytest.mark.parametrize("account", HUBS)
@pytest.mark.parametrize(
    "fault",
    [
        Fault(kind=FaultKind.TIMEOUT_AFTER_COMMIT, hold_seconds=2.0, times=1),
        Fault(kind=FaultKind.DROP_CONNECTION, after_commit=True, times=1),
    ],
    ids=["timeout-after-purchase", "dropped-after-purchase"],
)
def test_a_label_bought_but_not_answered_is_reconciled_not_rebought(
    account: str, fault: Fault, shipping: Services, sandbox: SandboxServer
) -> None:
    [order_id] = ingest_orders(shipping, 1)
    sandbox.add_fault(fault.model_copy(update={"operation": BUY[account]}))

    row = shipping.shipments.buy(order_id=order_id, account=account)

    assert row.state is ShipmentState.PURCHASED
    assert labels_by_order(sandbox) == {order_id: 1}
    assert row.attempts == 1  # one buy sent; the label was found by reconciliation
    assert actions(shipping, row.id or 0)[-1] == "reconciled"
    assert shipping.shipments.label(row)[0].startswith(b"%PDF")


@pytest.mark.parametrize("account", HUBS)
@pytest.mark.parametrize(
    "fault",
    [
        Fault(kind=FaultKind.RATE_LIMIT, retry_after=0, times=3),
        Fault(kind=FaultKind.SERVER_ERROR, status=503, times=3),
        Fault(kind=FaultKind.DROP_CONNECTION, times=2),
    ],
    ids=["429", "503", "dropped-before-purchase"],
)
def test_refused_buys_are_retried_until_bought_once(
    account: str, fault: Fault, shipping: Services, sandbox: SandboxServer
) -> None:
    [order_id] = ingest_orders(shipping, 1)
    sandbox.add_fault(fault.model_copy(update={"operation": BUY[account]}))

    row = shipping.shipments.buy(order_id=order_id, account=account)

    assert row.state is ShipmentState.PURCHASED
    assert labels_by_order(sandbox) == {order_id: 1}
    assert row.attempts == (fault.times or 0) + 1


@pytest.mark.parametrize("account", HUBS)
def test_exhausted_retries_leave_the_shipment_to_recovery(
    account: str, shipping: Services, sandbox: SandboxServer
) -> None:
    [order_id] = ingest_orders(shipping, 1)
    sandbox.add_fault(
        Fault(kind=FaultKind.DROP_CONNECTION, after_commit=True, operation=BUY[account])
    )
    sandbox.add_fault(
        Fault(kind=FaultKind.SERVER_ERROR, operation="*.retrieve")  # EasyPost reconciliation
    )
    sandbox.add_fault(Fault(kind=FaultKind.SERVER_ERROR, operation="*.list"))  # Shippo's

    with pytest.raises(RetriableError):
        shipping.shipments.buy(order_id=order_id, account=account)

    [row] = shipping.shipments.for_order(order_id=order_id)
    assert row.state is ShipmentState.PURCHASING and row.lease_owner is None
    assert labels_by_order(sandbox) == {order_id: 1}  # bought on the first try, unanswered
    sandbox.clear_faults()

    report = recover(shipping.shipments)

    assert report.purchased == 1 and not report.still_open
    [row] = shipping.shipments.for_order(order_id=order_id)
    assert row.state is ShipmentState.PURCHASED
    assert labels_by_order(sandbox) == {order_id: 1}
    assert actions(shipping, row.id or 0)[-1] == "reconciled"


@pytest.mark.parametrize("account", HUBS)
def test_a_storm_of_faults_across_a_batch(
    account: str, shipping: Services, sandbox: SandboxServer
) -> None:
    order_ids = ingest_orders(shipping, 40)
    storm = [
        Fault(kind=FaultKind.RATE_LIMIT, retry_after=0, probability=0.15, seed=1),
        Fault(kind=FaultKind.SERVER_ERROR, status=502, probability=0.1, seed=2),
        Fault(kind=FaultKind.DROP_CONNECTION, probability=0.05, seed=3),
        Fault(
            kind=FaultKind.DROP_CONNECTION,
            after_commit=True,
            probability=0.1,
            seed=4,
            operation=BUY[account],
        ),
        Fault(
            kind=FaultKind.TIMEOUT_AFTER_COMMIT,
            hold_seconds=2.0,
            probability=0.05,
            seed=5,
            operation=BUY[account],
        ),
    ]
    for fault in storm:
        sandbox.add_fault(fault)

    outcomes = shipping.shipments.buy_many(
        [BuyRequest(order_id, account) for order_id in order_ids], workers=16
    )
    sandbox.clear_faults()
    # The service recovers every few minutes; a pass whose call times out on a loaded machine
    # (the accounts' timeout is 1 s) leaves its shipment to the next, as it would there.
    for _ in range(RECOVERY_PASSES):
        if not recover(shipping.shipments).still_open:
            break

    assert labels_by_order(sandbox) == dict.fromkeys(order_ids, 1)
    finished = {o.order_id for o in outcomes if o.shipment is not None}
    for order_id in order_ids:
        [row] = shipping.shipments.for_order(order_id=order_id)
        assert row.state is ShipmentState.PURCHASED, (order_id, order_id in finished)
