"""What the Shippo integration is, without loading the Shippo SDK.

The registry reads this record at every start; the SDK-bound ``carrier`` module is imported only
when an account is built from it. Webhooks (``webhooks``) are SDK-free.
"""

from __future__ import annotations

from typing import Any

from finalmile.carriers.base import Capability, CarrierKind
from finalmile.carriers.info import CarrierInfo
from finalmile.carriers.shippo.settings import ShippoSettings
from finalmile.carriers.shippo.webhooks import account_webhooks


def _build(name: str, settings: Any) -> object:
    # Deferred: the SDK costs start-up time, and only configured accounts need it.
    from finalmile.carriers.shippo.carrier import ShippoCarrier  # noqa: PLC0415

    return ShippoCarrier(name, settings)


SHIPPO = CarrierInfo(
    slug="shippo",
    label="Shippo",
    kind=CarrierKind.HUB,
    capabilities=frozenset(Capability),
    settings_model=ShippoSettings,
    factory=_build,
    webhooks=account_webhooks,
)
