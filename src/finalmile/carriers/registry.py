"""Which carrier integrations exist, and the configured accounts built from them.

Built-in integrations are listed in ``BUILTIN``; others register under the entry-point group
``finalmile.carriers`` (the entry-point name is the slug; it points at a ``CarrierInfo``). A
duplicate slug is an error; an entry point that fails to load is logged and listed in
``Registry.failures``, never fatal. The built-in records come from each hub's ``info`` module, so
reading the registry loads no carrier SDK: a hub's SDK loads when an account of it is built.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint
from typing import Any

import structlog
from pydantic import ValidationError

from finalmile.carriers.base import CAPABILITY_PROTOCOLS
from finalmile.carriers.courier.carrier import COURIER
from finalmile.carriers.dropship.carrier import DROPSHIP
from finalmile.carriers.easypost.info import EASYPOST
from finalmile.carriers.info import CarrierAccount, CarrierInfo
from finalmile.carriers.shippo.info import SHIPPO
from finalmile.errors import ConfigError
from finalmile.plugins import load_plugins

log = structlog.get_logger(__name__)

ENTRY_POINT_GROUP = "finalmile.carriers"


@dataclass
class Registry:
    """Integrations by slug, plus the entry points that failed to load."""

    infos: dict[str, CarrierInfo]
    failures: dict[str, str] = field(default_factory=dict)

    def build_accounts(self, config: Mapping[str, Mapping[str, Any]]) -> dict[str, CarrierAccount]:
        """Validate every account in ``config`` and construct its carrier.

        Raises:
            ConfigError: listing every problem across all accounts at once.
        """
        problems: list[str] = []
        accounts: dict[str, CarrierAccount] = {}
        for name, raw in config.items():
            slug = str(raw.get("type", ""))
            info = self.infos.get(slug)
            if info is None:
                known = ", ".join(sorted(self.infos)) or "none"
                problems.append(f"carriers.{name}.type: unknown carrier {slug!r} (known: {known})")
                continue
            try:
                settings = info.settings_model.model_validate(raw)
            except ValidationError as exc:
                problems.extend(
                    f"carriers.{name}.{'.'.join(map(str, e['loc']))}: {e['msg']}"
                    for e in exc.errors()
                )
                continue
            if settings.enabled:
                accounts[name] = CarrierAccount(name, info, settings, info.factory(name, settings))
        if problems:
            raise ConfigError(problems)
        return accounts


def check_capabilities(info: CarrierInfo, carrier: object) -> list[str]:
    """Capabilities ``info`` declares that ``carrier`` lacks (for the contract suite)."""
    return [
        cap.value
        for cap in sorted(info.capabilities)
        if not isinstance(carrier, CAPABILITY_PROTOCOLS[cap])
    ]


#: The integrations that ship with finalmile.
BUILTIN: tuple[CarrierInfo, ...] = (EASYPOST, SHIPPO, COURIER, DROPSHIP)


def load_registry(extra: Iterable[CarrierInfo] = ()) -> Registry:
    """Built-in integrations plus every installed ``finalmile.carriers`` entry point.

    Raises:
        ConfigError: two integrations claim the same slug.
    """
    infos, failures = load_plugins(
        group=ENTRY_POINT_GROUP,
        builtins=(*BUILTIN, *extra),
        name_of=lambda info: info.slug,
        load=_load_carrier,
        kind="carrier slug",
    )
    return Registry(infos=infos, failures=failures)


def _load_carrier(point: EntryPoint) -> CarrierInfo:
    loaded = point.load()
    if not isinstance(loaded, CarrierInfo) or loaded.slug != point.name:
        raise TypeError(f"{point.value} is not a CarrierInfo with slug {point.name!r}")
    return loaded
