"""Counting the report's rows from order facts (pure).

Per group (day, site, delivery type, carrier) and for the whole period:

- ``orders``: orders of the day (needed-by day in the site's time zone; received day without one)
- ``delivered``: those whose status is ``delivered``
- ``on_time_rate``: delivered at or before needed-by / delivered with a needed-by and a delivery
  time in their history
- ``first_attempt_rate``: delivered with no ``failed_attempt`` in their history / delivered
- ``cost_per_delivery``: total cost of the delivered orders with a known cost / their number
  (the live shipment's amount; without one, the decision's cost)
- ``excursion_rate``: orders whose temperature verdict is ``excursion`` / orders with a log
- ``billing_median_hours``, ``billing_p90_hours``: hours from the delivered entry to the billing
  entry in each delivered and confirmed order's history (median; 90th percentile by nearest rank)
- ``exceptions_opened``, ``exceptions_resolved``: exception rows opened or resolved in the period,
  on the day (in the order's site's time zone) they opened or were resolved
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from finalmile.orders import OrderStatus
from finalmile.reports.facts import Group, OrderFacts

CENT = Decimal("0.01")


@dataclass(frozen=True)
class ReportRow:
    """The numbers of one group (or, with ``group`` None, of the whole period)."""

    group: Group | None
    orders: int
    delivered: int
    on_time_rate: float | None
    first_attempt_rate: float | None
    cost_per_delivery: Decimal | None
    excursion_rate: float | None
    billing_median_hours: float | None
    billing_p90_hours: float | None
    exceptions_opened: int
    exceptions_resolved: int


@dataclass
class Tally:
    """Running counts of one group."""

    orders: int = 0
    delivered: int = 0
    timed: int = 0
    on_time: int = 0
    first_attempt: int = 0
    costed: int = 0
    cost: Decimal = Decimal(0)
    logged: int = 0
    excursions: int = 0
    billing_hours: list[float] = field(default_factory=list)
    opened: int = 0
    resolved: int = 0

    def add(self, order: OrderFacts) -> None:
        """Count one order of the group."""
        self.orders += 1
        if order.excursion is not None:
            self.logged += 1
            self.excursions += order.excursion
        if order.status is not OrderStatus.DELIVERED:
            return
        self.delivered += 1
        self.first_attempt += not order.failed_attempt
        if order.cost is not None:
            self.costed += 1
            self.cost += order.cost
        if order.delivered_at is None:
            return
        if order.needed_by is not None:
            self.timed += 1
            self.on_time += order.delivered_at <= order.needed_by
        if order.billed_at is not None:
            seconds = (order.billed_at - order.delivered_at).total_seconds()
            self.billing_hours.append(max(seconds, 0.0) / 3600)

    def merge(self, other: Tally) -> None:
        """Add another group's counts (for totals)."""
        for name in (
            "orders",
            "delivered",
            "timed",
            "on_time",
            "first_attempt",
            "costed",
            "cost",
            "logged",
            "excursions",
            "opened",
            "resolved",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.billing_hours.extend(other.billing_hours)

    def row(self, group: Group | None) -> ReportRow:
        """The group's numbers."""
        hours = sorted(self.billing_hours)
        return ReportRow(
            group=group,
            orders=self.orders,
            delivered=self.delivered,
            on_time_rate=_rate(self.on_time, self.timed),
            first_attempt_rate=_rate(self.first_attempt, self.delivered),
            cost_per_delivery=(self.cost / self.costed).quantize(CENT, ROUND_HALF_UP)
            if self.costed
            else None,
            excursion_rate=_rate(self.excursions, self.logged),
            billing_median_hours=round(statistics.median(hours), 2) if hours else None,
            billing_p90_hours=round(hours[math.ceil(0.9 * len(hours)) - 1], 2) if hours else None,
            exceptions_opened=self.opened,
            exceptions_resolved=self.resolved,
        )


def rows(
    orders: Iterable[OrderFacts],
    opened: Iterable[Group],
    resolved: Iterable[Group],
) -> tuple[list[ReportRow], ReportRow]:
    """The rows, by day, site, delivery type and carrier, and the period's total."""
    tallies: dict[Group, Tally] = {}
    for order in orders:
        tallies.setdefault(order.group, Tally()).add(order)
    for group in opened:
        tallies.setdefault(group, Tally()).opened += 1
    for group in resolved:
        tallies.setdefault(group, Tally()).resolved += 1
    total = Tally()
    for tally in tallies.values():
        total.merge(tally)
    ordered = sorted(tallies.items(), key=lambda item: _sort_key(item[0]))
    return [tally.row(group) for group, tally in ordered], total.row(None)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _sort_key(group: Group) -> tuple[dt.date, str, str, str]:
    return (group.day, group.site or "", group.delivery_type or "", group.carrier or "")
