"""The delivery report as a service: the numbers a pharmacy is judged on, per day and per site,
by delivery type and carrier (``tally`` says how each is counted)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from finalmile.errors import InputError
from finalmile.reports.codes import ReportCode
from finalmile.reports.facts import (
    Group,
    OrderFacts,
    Zones,
    exceptions_between,
    orders_between,
    orders_by_pk,
)
from finalmile.reports.tally import ReportRow, rows

#: The longest period one report covers.
MAX_DAYS = 366
#: Time zones differ from UTC by less than this: the margin read around the period.
_MARGIN = dt.timedelta(days=1)


@dataclass(frozen=True)
class DeliveryReport:
    """The report of ``first``..``last`` (inclusive days), of one site or all."""

    first: dt.date
    last: dt.date
    site: str | None
    rows: list[ReportRow]
    total: ReportRow


@dataclass
class DeliveryReports:
    """Builds delivery reports; ``zones`` holds each site's time zone, ``zone`` the one of
    orders not decided yet."""

    sessions: sessionmaker[Session]
    zone: ZoneInfo
    zones: Mapping[str, ZoneInfo] = field(default_factory=dict)

    def report(self, *, first: dt.date, last: dt.date, site: str | None = None) -> DeliveryReport:
        """The numbers of the days ``first`` to ``last`` (inclusive).

        Raises:
            InputError: ``last`` before ``first``, more than ``MAX_DAYS`` days, an unknown site.
        """
        self._check(first, last, site)
        zones = Zones(self.zone, self.zones)
        lo = dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC) - _MARGIN
        hi = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC) + _MARGIN

        def wanted(group: Group) -> bool:
            return first <= group.day <= last and (site is None or group.site == site)

        with self.sessions() as session:
            orders = [o for o in orders_between(session, lo, hi, zones) if wanted(o.group)]
            opened, resolved = self._exceptions(session, lo, hi, zones)
        table, total = rows(
            orders, [g for g in opened if wanted(g)], [g for g in resolved if wanted(g)]
        )
        return DeliveryReport(first=first, last=last, site=site, rows=table, total=total)

    def _exceptions(
        self, session: Session, lo: dt.datetime, hi: dt.datetime, zones: Zones
    ) -> tuple[list[Group], list[Group]]:
        """The group of each exception opened, and of each resolved, on the day it happened."""
        found = exceptions_between(session, lo, hi)
        groups: dict[int, OrderFacts] = {
            o.pk: o for o in orders_by_pk(session, [e.order_pk for e in found], zones)
        }
        opened, resolved = [], []
        for row in found:
            base = groups[row.order_pk].group
            zone = zones.of(base.site)
            opened.append(replace(base, day=row.opened_at.astimezone(zone).date()))
            if row.resolved_at is not None:
                resolved.append(replace(base, day=row.resolved_at.astimezone(zone).date()))
        return opened, resolved

    def _check(self, first: dt.date, last: dt.date, site: str | None) -> None:
        if last < first:
            raise InputError(
                "to must not be before from", location="to", code=ReportCode.EMPTY_RANGE
            )
        if (last - first).days + 1 > MAX_DAYS:
            raise InputError(
                f"a report covers at most {MAX_DAYS} days",
                location="to",
                code=ReportCode.RANGE_TOO_LONG,
            )
        if site is not None and site not in self.zones:
            known = ", ".join(sorted(self.zones)) or "none"
            raise InputError(
                f"no site of that name is configured (sites: {known})",
                location="site",
                code=ReportCode.UNKNOWN_SITE,
            )
