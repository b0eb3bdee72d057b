"""Quotes from the site's offline rate card: the fallback a pharmacy ships by when no live rate
is at hand. Price = band base + per-lb x the packed weight; the band is picked by distance."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from finalmile.canonical import DispatchOrder
from finalmile.rules.quotes import CarrierQuote
from finalmile.rules.site import Site
from finalmile.rules.site_config import CarrierService, RateBand

CENT = Decimal("0.01")


class RateCardSource:
    """A ``QuoteSource`` over the rate card in each site's YAML (``carriers[].services``)."""

    def quotes(self, order: DispatchOrder, site: Site, now: dt.datetime) -> list[CarrierQuote]:
        """One quote per configured service; distance unknown prices at the farthest band."""
        miles = site.distance_miles(site.locate(order.ship_to))
        weight = Decimal(str(site.package_weight_lb(order)))
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
