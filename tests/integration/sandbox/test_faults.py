"""Each fault mode as the official SDKs see it, and the state the sandbox kept meanwhile."""

from __future__ import annotations

import easypost
import pytest
import requests
import shippo
from easypost.errors import (
    HttpError,
    InternalServerError,
    RateLimitError,
    ServiceUnavailableError,
)
from easypost.errors import TimeoutError as EasyPostTimeoutError
from shippo.models import components, errors, operations

from finalmile_sandbox.faults import Fault, FaultKind
from finalmile_sandbox.records import Api
from finalmile_sandbox.server import SandboxServer
from tests.integration.sandbox.conftest import BOSTON, CAMBRIDGE, PARCEL, TimeoutSession


def _shipment(client: easypost.EasyPostClient):
    return client.shipment.create(from_address=BOSTON, to_address=CAMBRIDGE, parcel=PARCEL)


def _shippo_rate(sdk: shippo.Shippo) -> components.Rate:
    shipment = sdk.shipments.create(
        components.ShipmentCreateRequest(
            address_from=components.AddressCreateRequest(**BOSTON),
            address_to=components.AddressCreateRequest(**CAMBRIDGE),
            parcels=[
                components.ParcelCreateRequest(
                    length="10",
                    width="8",
                    height="4",
                    distance_unit=components.DistanceUnitEnum.IN,
                    weight="20",
                    mass_unit=components.WeightUnitEnum.OZ,
                )
            ],
        )
    )
    return shipment.rates[0]


def test_rate_limit_is_a_429_with_retry_after(
    server: SandboxServer, easypost_client: easypost.EasyPostClient
) -> None:
    server.add_fault(
        Fault(kind=FaultKind.RATE_LIMIT, operation="*.shipment.create", times=1, retry_after=7)
    )

    with pytest.raises(RateLimitError) as caught:
        _shipment(easypost_client)
    answer = _shipment(easypost_client)  # the rule fired once and retired

    assert caught.value.http_status == 429
    assert caught.value.code == "RATE_LIMITED"
    assert answer.rates


def test_retry_after_header_and_admin_endpoint(server: SandboxServer) -> None:
    added = requests.post(
        f"{server.url}_sandbox/faults",
        json=[{"kind": "rate_limit", "api": "shippo", "retry_after": 3}],
        timeout=5,
    )

    answer = requests.get(
        f"{server.shippo_base}/transactions", headers={"Authorization": "ShippoToken k"}, timeout=5
    )
    listed = requests.get(f"{server.url}_sandbox/faults", timeout=5).json()
    requests.delete(f"{server.url}_sandbox/faults", timeout=5)
    after = requests.get(
        f"{server.shippo_base}/transactions", headers={"Authorization": "ShippoToken k"}, timeout=5
    )

    assert added.status_code == 201
    assert (answer.status_code, answer.headers["Retry-After"]) == (429, "3")
    assert answer.json() == {"detail": "Too many requests"}
    assert [(rule["fault"]["kind"], rule["fired"]) for rule in listed] == [("rate_limit", 1)]
    assert after.status_code == 200


def test_server_error_storm_of_n_failures(
    server: SandboxServer, easypost_client: easypost.EasyPostClient
) -> None:
    server.add_fault(Fault(kind=FaultKind.SERVER_ERROR, status=500, times=2))
    server.add_fault(Fault(kind=FaultKind.SERVER_ERROR, status=503, times=1))

    outcomes = []
    for _ in range(4):
        try:
            _shipment(easypost_client)
            outcomes.append("ok")
        except (InternalServerError, ServiceUnavailableError) as exc:
            outcomes.append(str(exc.http_status))

    assert outcomes == ["500", "500", "503", "ok"]


def test_probabilistic_storm_is_reproducible(server: SandboxServer) -> None:
    def pattern() -> list[int]:
        server.clear_faults()
        server.add_fault(Fault(kind=FaultKind.SERVER_ERROR, probability=0.5, seed=42))
        return [
            requests.get(f"{server.easypost_base}/trackers", auth=("k", ""), timeout=5).status_code
            for _ in range(12)
        ]

    first, second = pattern(), pattern()

    assert first == second
    assert set(first) == {200, 503}


def test_fault_scoped_to_an_api_key(server: SandboxServer) -> None:
    server.add_fault(Fault(kind=FaultKind.SERVER_ERROR, api=Api.EASYPOST, api_key="flaky"))

    def status(key: str) -> int:
        return requests.get(
            f"{server.easypost_base}/trackers", auth=(key, ""), timeout=5
        ).status_code

    assert (status("flaky"), status("steady")) == (503, 200)


def test_latency_is_injected_without_blocking_other_requests(
    server: SandboxServer, easypost_client: easypost.EasyPostClient
) -> None:
    server.add_fault(Fault(kind=FaultKind.LATENCY, latency_ms=300, operation="*.shipment.create"))

    shipment = _shipment(easypost_client)

    assert shipment.rates
    assert [(rule.kind, fired) for rule, fired, _ in server.sandbox.faults.rules()] == [
        (FaultKind.LATENCY, 1)
    ]


def test_dropped_connection_before_buy_buys_nothing(
    server: SandboxServer, easypost_client: easypost.EasyPostClient
) -> None:
    shipment = _shipment(easypost_client)
    server.add_fault(
        Fault(kind=FaultKind.DROP_CONNECTION, operation="easypost.shipment.buy", times=1)
    )

    with pytest.raises(HttpError):
        easypost_client.shipment.buy(shipment.id, rate=shipment.lowest_rate())

    assert easypost_client.shipment.retrieve(shipment.id).postage_label is None


def test_dropped_connection_after_commit_leaves_a_label_to_reconcile(
    server: SandboxServer, easypost_client: easypost.EasyPostClient
) -> None:
    shipment = _shipment(easypost_client)
    server.add_fault(
        Fault(kind=FaultKind.DROP_CONNECTION, operation="*.buy", after_commit=True, times=1)
    )

    with pytest.raises(HttpError):
        easypost_client.shipment.buy(shipment.id, rate=shipment.lowest_rate())
    reconciled = easypost_client.shipment.retrieve(shipment.id)

    assert reconciled.postage_label is not None
    assert reconciled.tracking_code


def test_easypost_retries_a_dropped_get(
    server: SandboxServer, easypost_client: easypost.EasyPostClient
) -> None:
    shipment = _shipment(easypost_client)
    server.add_fault(Fault(kind=FaultKind.DROP_CONNECTION, operation="*.retrieve", times=1))

    # The SDK's HTTPAdapter(max_retries=3) re-sends idempotent requests after a reset.
    assert easypost_client.shipment.retrieve(shipment.id).id == shipment.id


def test_timeout_after_commit_easypost(server: SandboxServer) -> None:
    client = easypost.EasyPostClient("EZTK_sandbox", api_base=server.easypost_base, timeout=0.3)
    shipment = _shipment(client)
    server.add_fault(
        Fault(kind=FaultKind.TIMEOUT_AFTER_COMMIT, operation="*.buy", hold_seconds=1.5)
    )

    with pytest.raises(EasyPostTimeoutError):
        client.shipment.buy(shipment.id, rate=shipment.lowest_rate())
    bought = client.shipment.retrieve(shipment.id)
    client._requests_session.close()

    assert bought.postage_label is not None


def test_timeout_after_commit_shippo(server: SandboxServer) -> None:
    with TimeoutSession(0.3) as session:
        sdk = shippo.Shippo(
            api_key_header="ShippoToken shippo_test_sandbox",
            server_url=server.shippo_base,
            client=session,
        )
        rate = _shippo_rate(sdk)
        hold = Fault(kind=FaultKind.TIMEOUT_AFTER_COMMIT, api=Api.SHIPPO, hold_seconds=1.5)
        server.add_fault(hold.model_copy(update={"operation": "shippo.transaction.create"}))

        with pytest.raises(requests.exceptions.ReadTimeout):
            sdk.transactions.create(
                components.TransactionCreateRequest(rate=rate.object_id, async_=False)
            )
        found = sdk.transactions.list(operations.ListTransactionsRequest(rate=rate.object_id))

    assert [t.status for t in found.results] == [components.TransactionStatusEnum.SUCCESS]


def test_shippo_sees_drops_and_5xx(server: SandboxServer, shippo_sdk: shippo.Shippo) -> None:
    rate = _shippo_rate(shippo_sdk)
    server.add_fault(Fault(kind=FaultKind.DROP_CONNECTION, api=Api.SHIPPO, times=1))
    server.add_fault(Fault(kind=FaultKind.SERVER_ERROR, api=Api.SHIPPO, status=502, times=1))
    request = components.TransactionCreateRequest(rate=rate.object_id, async_=False)

    with pytest.raises(requests.exceptions.ConnectionError):
        shippo_sdk.transactions.create(request)
    with pytest.raises(errors.SDKError) as caught:
        shippo_sdk.transactions.create(request)
    bought = shippo_sdk.transactions.create(request)

    assert caught.value.status_code == 502
    assert bought.status == components.TransactionStatusEnum.SUCCESS
