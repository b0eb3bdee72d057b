"""What an integration is (``CarrierInfo``) and a configured account of it (``CarrierAccount``).

Domain code asks these records what a carrier can do (``capabilities``, ``traits``,
``tracks_through``, ``tracked_by_drivers``); it never compares slugs or reads settings by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, cast

from finalmile.carriers.base import (
    AddressVerifying,
    Cancelling,
    Capability,
    CarrierKind,
    Purchasing,
    Quoting,
    Tracking,
)
from finalmile.carriers.settings import CarrierSettings
from finalmile.carriers.webhooks import SupportsWebhooks
from finalmile.errors import NotFoundError, PermanentError


class Trait(StrEnum):
    """What an integration is, beyond the Protocols it implements.

    ``records_external``: its shipments are made elsewhere and recorded here (a drop shipper).
    """

    RECORDS_EXTERNAL = "records_external"


@dataclass(frozen=True)
class CarrierInfo:
    """What one integration is: its slug, kind, capabilities, traits, settings model, constructor
    and, when it takes webhooks, the factory of an account's ``SupportsWebhooks`` (SDK-free)."""

    slug: str
    label: str
    kind: CarrierKind
    capabilities: frozenset[Capability]
    settings_model: type[CarrierSettings]
    factory: Callable[[str, Any], object] = field(repr=False)
    traits: frozenset[Trait] = frozenset()
    webhooks: Callable[[Any], SupportsWebhooks] | None = field(default=None, repr=False)


@dataclass(frozen=True)
class CarrierAccount:
    """A configured account: its name, integration, validated settings and live client."""

    name: str
    info: CarrierInfo
    settings: CarrierSettings
    carrier: object

    def quoting(self) -> Quoting:
        """The carrier as ``Quoting`` (PermanentError when it cannot quote)."""
        return cast(Quoting, self._as(Quoting, "quote"))

    def purchasing(self) -> Purchasing:
        """The carrier as ``Purchasing`` (PermanentError when it cannot buy)."""
        return cast(Purchasing, self._as(Purchasing, "buy"))

    def tracking(self) -> Tracking:
        """The carrier as ``Tracking`` (PermanentError when it cannot track)."""
        return cast(Tracking, self._as(Tracking, "track"))

    def cancelling(self) -> Cancelling:
        """The carrier as ``Cancelling`` (PermanentError when it cannot void)."""
        return cast(Cancelling, self._as(Cancelling, "void"))

    def verifying(self) -> AddressVerifying:
        """The carrier as ``AddressVerifying`` (PermanentError when it cannot verify)."""
        return cast(AddressVerifying, self._as(AddressVerifying, "verify addresses"))

    def receiving_webhooks(self) -> SupportsWebhooks:
        """The account's webhook verifier and parser (NotFoundError when it takes none)."""
        if self.info.webhooks is None:
            raise NotFoundError(f"carrier account {self.name!r} takes no webhooks")
        return self.info.webhooks(self.settings)

    @property
    def tracks_through(self) -> str | None:
        """The account whose ``Tracking`` tracks this one's parcels (None: its own, if any)."""
        return self.settings.tracks_through

    @property
    def tracked_by_drivers(self) -> bool:
        """Whether the account's progress comes from finalmile's drivers, not from polling."""
        return self.settings.tracked_by_drivers

    def _as(self, protocol: type, verb: str) -> object:
        if not isinstance(self.carrier, protocol):
            raise PermanentError(f"carrier account {self.name!r} ({self.info.slug}) cannot {verb}")
        return self.carrier
