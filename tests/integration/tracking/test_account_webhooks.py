"""POST /webhooks/{account}: each account verifies with the webhook secret in its own settings."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from finalmile.app import Services, build_services
from finalmile.config.settings import Settings
from finalmile.main import create_app
from finalmile_sandbox.server import SandboxServer
from tests.integration.shipments.conftest import carrier_config
from tests.integration.tracking.conftest import EASYPOST_SECRET
from tests.integration.tracking.helpers import (
    dropship,
    easypost_event,
    signed,
    state_of,
    stored_counts,
)

ACCOUNT_SECRET = "pharmacy-easypost-secret"
ACCOUNT_TOKEN = "pharmacy-shippo-token"


def _accounts(sandbox: SandboxServer) -> dict[str, dict[str, Any]]:
    config = carrier_config(sandbox)
    return {
        **config,
        "pharmacy_ep": {**config["easypost"], "webhook_secret": f"retired, {ACCOUNT_SECRET}"},
        "pharmacy_shippo": {**config["shippo"], "webhook_token": ACCOUNT_TOKEN},
    }


@pytest.fixture
def account_settings(track_settings: Settings, sandbox: SandboxServer) -> Settings:
    """The tracking settings (global secrets set) plus accounts with secrets of their own."""
    return track_settings.model_copy(update={"carriers": _accounts(sandbox)})


@pytest.fixture
def api(account_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(account_settings)) as client:
        yield client


@pytest.fixture
def stored(account_settings: Settings) -> Iterator[Services]:
    built = build_services(account_settings)
    yield built
    built.close()


def test_a_delivery_signed_with_the_account_secret_is_recorded_once(
    api: TestClient, stored: Services
) -> None:
    order_id, number = dropship(stored, 11)
    raw, headers = signed(easypost_event(number, 5, event_id="evt_acct_1"), ACCOUNT_SECRET)
    alias_raw, alias_headers = signed(easypost_event(number, 5, event_id="evt_acct_1"))

    first = api.post("/webhooks/pharmacy_ep", content=raw, headers=headers)
    replay = api.post("/webhooks/pharmacy_ep", content=raw, headers=headers)
    via_alias = api.post("/webhooks/easypost", content=alias_raw, headers=alias_headers)

    assert first.json() == {"outcome": "processed", "new_events": 5}
    # Event ids are per provider: the same EasyPost event through the alias is a duplicate too.
    assert [replay.json()["outcome"], via_alias.json()["outcome"]] == ["duplicate", "duplicate"]
    assert stored_counts(stored) == (1, 5)
    state = state_of(stored, order_id)
    assert state is not None and state.status.value == "delivered"


def test_the_account_route_refuses_other_secrets_and_forgeries(
    api: TestClient, stored: Services
) -> None:
    order_id, number = dropship(stored, 12)
    body = easypost_event(number, 5, event_id="evt_acct_2")
    global_raw, global_headers = signed(body, EASYPOST_SECRET)
    raw, headers = signed(body, ACCOUNT_SECRET)

    answers = [
        api.post("/webhooks/pharmacy_ep", content=global_raw, headers=global_headers),
        api.post("/webhooks/pharmacy_ep", content=raw),
        api.post("/webhooks/pharmacy_ep", content=raw + b" ", headers=headers),
        api.post("/webhooks/pharmacy_shippo?token=wrong", content=b"{}"),
        api.post(f"/webhooks/pharmacy_shippo?token={EASYPOST_SECRET}", content=b"{}"),
    ]

    assert [a.status_code for a in answers] == [401, 401, 401, 401, 401]
    assert stored_counts(stored) == (0, 0)
    assert state_of(stored, order_id) is None


def test_a_shippo_account_verifies_its_own_token(api: TestClient, stored: Services) -> None:
    order_id, number = dropship(stored, 13)
    body = json.dumps(
        {
            "event": "track_updated",
            "data": {
                "carrier": "usps",
                "tracking_number": number,
                "tracking_status": {
                    "status": "TRANSIT",
                    "status_details": "Departed",
                    "status_date": "2026-11-21T08:00:00Z",
                    "substatus": {"code": "package_departed"},
                },
            },
        }
    ).encode()

    answer = api.post(f"/webhooks/pharmacy_shippo?token={ACCOUNT_TOKEN}", content=body)

    assert answer.json() == {"outcome": "processed", "new_events": 1}
    state = state_of(stored, order_id)
    assert state is not None and state.detail == "departed_facility"


def test_unknown_accounts_and_accounts_without_webhooks_are_not_found(api: TestClient) -> None:
    raw, headers = signed(easypost_event("1", 1, event_id="evt_acct_3"), ACCOUNT_SECRET)

    answers = [
        api.post(f"/webhooks/{name}", content=raw, headers=headers)
        for name in ("nobody", "drivers", "maker")
    ]

    assert [a.status_code for a in answers] == [404, 404, 404]


def test_without_global_secrets_the_old_route_is_the_account_of_that_name(
    settings: Settings, sandbox: SandboxServer
) -> None:
    config = _accounts(sandbox)
    config["easypost"] = {**config["easypost"], "webhook_secret": ACCOUNT_SECRET}
    own = settings.model_copy(update={"carriers": config, "outbox_workers": 0})
    services = build_services(own)
    try:
        order_id, number = dropship(services, 14)
        raw, headers = signed(easypost_event(number, 2, event_id="evt_acct_4"), ACCOUNT_SECRET)
        global_raw, global_headers = signed(easypost_event(number, 2, event_id="evt_acct_5"))
        with TestClient(create_app(own)) as api:
            refused = api.post("/webhooks/easypost", content=global_raw, headers=global_headers)
            accepted = api.post("/webhooks/easypost", content=raw, headers=headers)
            unconfigured = api.post("/webhooks/shippo?token=anything", content=b"{}")
        assert (refused.status_code, unconfigured.status_code) == (401, 401)
        assert accepted.json() == {"outcome": "processed", "new_events": 2}
        assert state_of(services, order_id) is not None
    finally:
        services.close()


def test_account_webhook_secrets_are_secret_settings(account_settings: Settings) -> None:
    services = build_services(account_settings)
    try:
        settings = services.shipments.account("pharmacy_ep").settings
        assert isinstance(settings.model_dump()["webhook_secret"], SecretStr)
        assert ACCOUNT_SECRET not in repr(settings)
    finally:
        services.close()
