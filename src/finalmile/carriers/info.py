"""What an integration is (``CarrierInfo``) and a configured account of it (``CarrierAccount``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
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
from finalmile.errors import PermanentError


@dataclass(frozen=True)
class CarrierInfo:
    """What one integration is: its slug, kind, capabilities, settings model and constructor."""

    slug: str
    label: str
    kind: CarrierKind
    capabilities: frozenset[Capability]
    settings_model: type[CarrierSettings]
    factory: Callable[[str, Any], object] = field(repr=False)


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

    def _as(self, protocol: type, verb: str) -> object:
        if not isinstance(self.carrier, protocol):
            raise PermanentError(f"carrier account {self.name!r} ({self.info.slug}) cannot {verb}")
        return self.carrier
