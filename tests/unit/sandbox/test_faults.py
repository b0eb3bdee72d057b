"""Fault rule bookkeeping: matching, counting, retiring, seeded probabilities."""

from __future__ import annotations

from finalmile_sandbox.faults import Fault, FaultController, FaultKind
from finalmile_sandbox.records import Api


def decide(controller: FaultController, operation: str = "easypost.shipment.buy", key: str = "k"):
    return controller.decide(api=Api.EASYPOST, operation=operation, api_key=key)


def test_no_rules_no_faults() -> None:
    decision = decide(FaultController())

    assert decision.handles and decision.latency_ms == 0 and decision.hold_seconds == 0


def test_times_retire_a_rule() -> None:
    controller = FaultController()
    controller.add(Fault(kind=FaultKind.SERVER_ERROR, times=2))

    refused = [decide(controller).refuse is not None for _ in range(3)]

    assert refused == [True, True, False]
    assert [(fired, left) for _, fired, left in controller.rules()] == [(2, 0)]


def test_matching_by_api_operation_and_key() -> None:
    controller = FaultController()
    controller.add(Fault(kind=FaultKind.RATE_LIMIT, api=Api.SHIPPO))
    controller.add(Fault(kind=FaultKind.SERVER_ERROR, operation="*.buy", api_key="flaky"))

    assert decide(controller, "easypost.shipment.buy", "steady").handles
    assert decide(controller, "easypost.shipment.create", "flaky").handles
    refuse = decide(controller, "easypost.shipment.buy", "flaky").refuse
    assert refuse is not None and refuse.kind is FaultKind.SERVER_ERROR


def test_latencies_add_up_and_first_refusal_wins() -> None:
    controller = FaultController()
    for fault in (
        Fault(kind=FaultKind.LATENCY, latency_ms=150),
        Fault(kind=FaultKind.RATE_LIMIT, times=1),
        Fault(kind=FaultKind.LATENCY, latency_ms=50),
        Fault(kind=FaultKind.SERVER_ERROR, times=1),
    ):
        controller.add(fault)

    first, second = decide(controller), decide(controller)

    assert first.latency_ms == 200 and first.refuse is not None
    assert first.refuse.kind is FaultKind.RATE_LIMIT
    assert second.refuse is not None and second.refuse.kind is FaultKind.SERVER_ERROR
    assert decide(controller).handles  # both refusals used up; the server error waited its turn


def test_post_commit_faults_let_the_request_through() -> None:
    controller = FaultController()
    controller.add(Fault(kind=FaultKind.DROP_CONNECTION, after_commit=True))
    controller.add(Fault(kind=FaultKind.TIMEOUT_AFTER_COMMIT, hold_seconds=2.5))

    decision = decide(controller)

    assert decision.handles
    assert decision.drop_after_commit and decision.hold_seconds == 2.5


def test_probability_is_reproducible_per_seed() -> None:
    def pattern(seed: int) -> list[bool]:
        controller = FaultController()
        controller.add(Fault(kind=FaultKind.SERVER_ERROR, probability=0.3, seed=seed))
        return [decide(controller).refuse is not None for _ in range(200)]

    first = pattern(7)

    assert first == pattern(7)
    assert first != pattern(8)
    assert 40 <= sum(first) <= 80
