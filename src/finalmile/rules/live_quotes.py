"""Quotes from the configured carrier accounts: live rates through the Carrier interface.

For every hub account (EasyPost, Shippo) the ``LiveRating`` port (the shipment service, passed in
by the caller) rates the order and each rate becomes a ``CarrierQuote`` whose ``carrier`` is the
*account* and whose ``service`` is ``provider carrier:service`` (what ``ShipmentService.buy``
accepts), so the decision can be bought as it stands. What a live rate does not say is taken
from the site's rate card for the same carrier and service level: the option prices and the
delivery time of day. ``docs/rules.md`` ("Live quotes") describes it for people.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Protocol

import structlog

from finalmile.canonical import DispatchOrder
from finalmile.carriers import CarrierAccount, CarrierKind, Quote, Rated
from finalmile.errors import PermanentError
from finalmile.rules.quotes import CarrierQuote
from finalmile.rules.site import Site
from finalmile.rules.site_config import CarrierService

log = structlog.get_logger(__name__)

#: Delivery time of day for a rate that gives only delivery days and no rate-card service.
DEFAULT_DELIVERY_BY = dt.time(20, 0)

#: Service level of a provider's service name, lower-cased with separators and the leading
#: carrier name removed (EasyPost ``NextDayAir`` and Shippo ``ups_next_day_air`` both read
#: ``nextdayair``). A name not listed here is skipped: the rules cannot place it.
SERVICE_LEVELS = {
    "ground": "ground",
    "groundadvantage": "ground",
    "priority": "two_day",
    "2day": "two_day",
    "2nddayair": "two_day",
    "seconddayair": "two_day",
    "express": "overnight",
    "priorityexpress": "overnight",
    "nextdayair": "overnight",
    "nextdayairsaver": "overnight",
    "standardovernight": "overnight",
    "priorityovernight": "overnight",
}


class LiveRating(Protocol):
    """What live quotes need of the shipments side (``ShipmentService`` is one)."""

    @property
    def accounts(self) -> Mapping[str, CarrierAccount]:
        """The configured carrier accounts by name."""
        ...

    def quote_order(self, order: DispatchOrder, *, account: str) -> Rated:
        """Rates from ``account`` for ``order``; nothing is bought."""
        ...


class LiveQuoteSource:
    """A ``QuoteSource`` over the hub carrier accounts of a ``LiveRating``.

    A carrier that is down raises ``RetriableError`` (the order stays undecided for the next
    run); one that refuses the shipment is skipped for this order with a log line.
    """

    def __init__(self, rating: LiveRating) -> None:
        self.rating = rating
        self.accounts = sorted(
            name
            for name, account in rating.accounts.items()
            if account.info.kind is CarrierKind.HUB
        )

    def quotes(self, order: DispatchOrder, site: Site, now: dt.datetime) -> list[CarrierQuote]:
        """Every rate of every hub account that maps onto a service level; none while an item's
        storage is unknown (the order is held, not priced)."""
        found: list[CarrierQuote] = []
        if not order.storage_known:
            return found
        for account in self.accounts:
            try:
                rated = self.rating.quote_order(order, account=account)
            except PermanentError as exc:
                log.warning(
                    "live_quote_refused",
                    order_id=order.order_id,
                    account=account,
                    error_type=type(exc).__name__,
                )
                continue
            for quote in rated.quotes:
                mapped = carrier_quote(account, quote, site)
                if mapped is not None:
                    found.append(mapped)
        return found


def carrier_quote(account: str, quote: Quote, site: Site) -> CarrierQuote | None:
    """``quote`` from ``account`` as the engine sees it; None (logged) when it cannot be placed."""
    level = service_level(quote.carrier, quote.service)
    if level is None:
        log.info("live_quote_skipped", account=account, service=quote.service_code, why="level")
        return None
    card = rate_card_service(site, quote.carrier, level)
    arrival = quote.delivery_date
    if arrival is not None and arrival.tzinfo is None:
        arrival = arrival.replace(tzinfo=dt.UTC)
    if arrival is None and quote.delivery_days is None:
        log.info("live_quote_skipped", account=account, service=quote.service_code, why="arrival")
        return None
    return CarrierQuote(
        carrier=account,
        service=quote.service_code,
        label=f"{quote.carrier} {quote.service} ({account})",
        cost=quote.amount,
        service_level=level,
        estimated_delivery=arrival,
        transit_days=None if arrival is not None else quote.delivery_days,
        delivery_by=None if arrival is not None else _delivery_by(card),
        options=dict(card.options) if card is not None else {},
        pickup=quote.carrier.lower(),
    )


def service_level(carrier: str, service: str) -> str | None:
    """The service level of a provider's service name (see ``SERVICE_LEVELS``)."""
    name = re.sub(r"[^a-z0-9]", "", service.lower())
    prefix = re.sub(r"[^a-z0-9]", "", carrier.lower())
    if prefix and name.startswith(prefix) and name != prefix:
        name = name[len(prefix) :]
    return SERVICE_LEVELS.get(name)


def rate_card_service(site: Site, carrier: str, level: str) -> CarrierService | None:
    """The site's rate-card service of ``carrier`` (any case) at ``level``, if it lists one."""
    for account in site.config.carriers:
        if account.carrier.lower() == carrier.lower():
            for service in account.services:
                if service.level == level:
                    return service
    return None


def _delivery_by(card: CarrierService | None) -> dt.time:
    return card.delivery_by if card is not None else DEFAULT_DELIVERY_BY
