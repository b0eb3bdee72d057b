"""What the EasyPost integration is, without loading the EasyPost SDK.

The registry reads this record at every start; the SDK-bound ``carrier`` module is imported only
when an account is built from it. Webhooks (``webhooks``) are SDK-free.
"""

from __future__ import annotations

from typing import Any

from finalmile.carriers.base import Capability, CarrierKind
from finalmile.carriers.easypost.settings import EasyPostSettings
from finalmile.carriers.easypost.webhooks import account_webhooks
from finalmile.carriers.info import CarrierInfo


def _build(name: str, settings: Any) -> object:
    # Deferred: the SDK costs start-up time, and only configured accounts need it.
    from finalmile.carriers.easypost.carrier import EasyPostCarrier  # noqa: PLC0415

    return EasyPostCarrier(name, settings)


EASYPOST = CarrierInfo(
    slug="easypost",
    label="EasyPost",
    kind=CarrierKind.HUB,
    capabilities=frozenset(Capability),
    settings_model=EasyPostSettings,
    factory=_build,
    webhooks=account_webhooks,
)
