"""The one configuration check: ``finalmile serve`` runs it before it starts, ``finalmile
connectors check`` runs it alone, so a configuration that passes the check starts.

It loads everything ``build_services`` reads from configuration, collecting every problem: the
connector profiles, the FHIR servers' and write-back targets' secrets and files, the carrier
accounts, the sites and rule sets, and live quotes' need for a hub carrier account. Nothing
touches the database or the network.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from finalmile.carriers import CarrierKind, load_registry
from finalmile.config import Settings, resolve_limits
from finalmile.connectors.fhir import clients_for
from finalmile.connectors.writeback import build_targets
from finalmile.errors import ConfigError
from finalmile.profiles import ConnectorRegistry, load_connectors
from finalmile.rules import load_catalog

T = TypeVar("T")


def check_configuration(settings: Settings) -> ConnectorRegistry:
    """The validated connector profiles, once everything else configured is valid too.

    Raises:
        ConfigError: every problem found, not just the first.
    """
    problems: list[str] = []

    def attempt(step: Callable[[], T]) -> T | None:
        try:
            return step()
        except ConfigError as exc:
            problems.extend(exc.errors)
            return None

    connectors = attempt(lambda: load_connectors(settings))
    if connectors is not None:
        profiles = [connectors.get(name) for name in connectors.names]
        for client in (attempt(lambda: clients_for(profiles)) or {}).values():
            client.close()
        targets = attempt(lambda: build_targets(profiles, config_dir=settings.config_dir))
        if targets is not None:
            targets.close()
    accounts = attempt(lambda: load_registry().build_accounts(settings.carriers)) or {}
    attempt(lambda: load_catalog(settings.config_dir))
    attempt(lambda: resolve_limits(settings.temperature_limits))
    hubs = [name for name, account in accounts.items() if account.info.kind is CarrierKind.HUB]
    if settings.quotes == "live" and not hubs:
        problems.append("FINALMILE_QUOTES=live needs an easypost or shippo FINALMILE_CARRIERS")
    if problems or connectors is None:
        raise ConfigError(problems)
    return connectors
