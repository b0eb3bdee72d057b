"""The carrier registry: built-ins, plugins by entry point, settings validated all at once."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest

from finalmile import plugins
from finalmile.carriers import registry
from finalmile.carriers.base import Capability
from finalmile.carriers.courier.settings import CourierSettings
from finalmile.carriers.easypost.carrier import EasyPostCarrier
from finalmile.carriers.easypost.info import EASYPOST
from finalmile.carriers.info import CarrierInfo
from finalmile.errors import ConfigError, PermanentError

SHIP_FROM = {"line1": "1 Test Plaza", "city": "Boston", "state": "MA", "postal_code": "02110"}


def test_every_builtin_implements_what_it_declares() -> None:
    loaded = registry.load_registry()
    assert set(loaded.infos) >= {"easypost", "shippo", "courier", "dropship"}
    accounts = loaded.build_accounts(
        {
            "easypost": {"type": "easypost", "api_key": "k", "ship_from": SHIP_FROM},
            "shippo": {"type": "shippo", "api_key": "k", "ship_from": SHIP_FROM},
            "drivers": {"type": "courier", "ship_from": SHIP_FROM},
            "maker": {"type": "dropship"},
        }
    )
    for account in accounts.values():
        assert registry.check_capabilities(account.info, account.carrier) == []
    assert accounts["easypost"].info.capabilities == frozenset(Capability)
    assert isinstance(accounts["easypost"].carrier, EasyPostCarrier)
    with pytest.raises(PermanentError, match="cannot quote"):
        accounts["maker"].quoting()


def test_every_configuration_problem_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        registry.load_registry().build_accounts(
            {
                "a": {"type": "fedex-direct"},
                "b": {"type": "easypost", "ship_from": SHIP_FROM},
                "c": {"type": "courier", "mode": "third_party"},
                "d": {"type": "shippo", "api_key": "k", "max_concurrency": 0},
            }
        )
    problems = "\n".join(caught.value.errors)
    assert "carriers.a.type: unknown carrier 'fedex-direct'" in problems
    assert "carriers.b.api_key" in problems
    assert "carriers.c" in problems and "endpoint" in problems
    assert "carriers.d.max_concurrency" in problems


def test_secrets_never_show() -> None:
    account = registry.load_registry().build_accounts(
        {"e": {"type": "easypost", "api_key": "EZAK_secret", "ship_from": SHIP_FROM}}
    )["e"]
    assert "EZAK_secret" not in repr(account.settings)
    assert "EZAK_secret" not in account.settings.model_dump_json()


def test_plugins_load_by_entry_point_and_broken_ones_are_listed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plugin = CarrierInfo(
        slug="acme",
        label="Acme",
        kind=EASYPOST.kind,
        capabilities=frozenset(),
        settings_model=CourierSettings,
        factory=lambda name, settings: object(),
    )
    monkeypatch.setattr(__name__ + ".PLUGIN", plugin, raising=False)
    points = [
        EntryPoint("acme", f"{__name__}:PLUGIN", registry.ENTRY_POINT_GROUP),
        EntryPoint("broken", "no.such.module:THING", registry.ENTRY_POINT_GROUP),
    ]
    monkeypatch.setattr(plugins, "entry_points", lambda group: points)
    loaded = registry.load_registry()
    assert loaded.infos["acme"] is plugin
    assert "broken" in loaded.failures and "ModuleNotFoundError" in loaded.failures["broken"]
    monkeypatch.setattr(__name__ + ".CLASH", EASYPOST, raising=False)
    points.append(EntryPoint("easypost", f"{__name__}:CLASH", registry.ENTRY_POINT_GROUP))
    with pytest.raises(ConfigError, match=r"'easypost' .* already registered"):
        registry.load_registry()
