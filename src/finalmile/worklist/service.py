"""The order lists as a service: pages of orders and the day's counts, each in its own session."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from finalmile.db_types import utcnow
from finalmile.errors import InputError
from finalmile.worklist.codes import WorklistCode
from finalmile.worklist.query import OrderPage, OrderQuery, order_page
from finalmile.worklist.summary import DaySummary, day_summary


@dataclass
class Worklist:
    """Lists orders across domains; ``zones`` holds each site's time zone, ``zone`` the one used
    when no site is named."""

    sessions: sessionmaker[Session]
    zone: ZoneInfo
    zones: Mapping[str, ZoneInfo] = field(default_factory=dict)

    def page(
        self,
        query: OrderQuery,
        *,
        limit: int,
        cursor: str | None = None,
        now: dt.datetime | None = None,
    ) -> OrderPage:
        """One page of the orders ``query`` asks for.

        Raises:
            InputError: an unknown site, contradictory conditions, a cursor from elsewhere.
        """
        if query.site is not None:
            self.site_zone(query.site)
        with self.sessions() as session:
            return order_page(session, query, limit=limit, cursor=cursor, now=now or utcnow())

    def summary(
        self, *, day: dt.date, site: str | None = None, now: dt.datetime | None = None
    ) -> DaySummary:
        """Counts for the orders needed by ``day``: in ``site``'s time zone and of its decisions
        when named, else every order in the default time zone.

        Raises:
            InputError: an unknown site.
        """
        zone = self.zone if site is None else self.site_zone(site)
        with self.sessions() as session:
            return day_summary(session, day=day, site=site, zone=zone, now=now or utcnow())

    def site_zone(self, site: str) -> ZoneInfo:
        """The time zone of ``site``.

        Raises:
            InputError: no such site (``unknown_site``, at ``site``).
        """
        if site not in self.zones:
            known = ", ".join(sorted(self.zones)) or "none"
            raise InputError(
                f"no site of that name is configured (sites: {known})",
                location="site",
                code=WorklistCode.UNKNOWN_SITE,
            )
        return self.zones[site]
