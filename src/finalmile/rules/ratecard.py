"""Quotes from the site's offline rate card: the fallback a pharmacy ships by when no live rate
is at hand. Price = band base + per-lb x the packed weight; the band is picked by distance."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from finalmile.canonical import DispatchOrder
from finalmile.rules.quotes import CarrierQuote
from finalmile.rules.site import Site
from finalmile.rules.site_config import CarrierService, RateBand

CENT = Decimal("0.01")


class PackedWeights(Protocol):
    """The packed weight of an order from the pharmacy's item master (``ItemService`` is one)."""

    def packed_weight_lb(self, order: DispatchOrder, *, site: str) -> Decimal | None:
        """The sum of the items' packed weights; None unless every item has one."""
        ...


class RateCardSource:
    """A ``QuoteSource`` over the rate card in each site's YAML (``carriers[].services``).

    ``weights`` (the item master) gives the packed weight where it knows every item; otherwise
    the site's estimate for the order's storage class (``package_weight_lb``) is used.
    """

    def __init__(self, weights: PackedWeights | None = None) -> None:
        self._weights = weights

    def quotes(self, order: DispatchOrder, site: Site, now: dt.datetime) -> list[CarrierQuote]:
        """One quote per configured service; distance unknown prices at the farthest band. None
        while an item's storage is unknown (the order is held, not priced)."""
        if not order.storage_known:
            return []
        miles = site.distance_miles(site.locate(order.ship_to))
        known = self._weights.packed_weight_lb(order, site=site.name) if self._weights else None
        weight = known if known is not None else Decimal(str(site.package_weight_lb(order)))
        quotes: list[CarrierQuote] = []
        for account in site.config.carriers:
            for service in account.services:
                band = _band(service, miles)
                if band is None:
                    continue
                quotes.append(
                    CarrierQuote(
                        carrier=account.carrier,
                        service=service.service,
                        label=service.label,
                        service_level=service.level,
                        cost=(band.base + band.per_lb * weight).quantize(CENT, ROUND_HALF_UP),
                        transit_days=band.transit_days,
                        delivery_by=service.delivery_by,
                        options=dict(service.options),
                    )
                )
        return quotes


def _band(service: CarrierService, miles: float | None) -> RateBand | None:
    if miles is None:
        return service.bands[-1]
    for band in service.bands:
        if band.up_to_miles is None or miles <= band.up_to_miles:
            return band
    return None
