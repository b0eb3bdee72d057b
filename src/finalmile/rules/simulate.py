"""Replaying orders under two rule sets: what changes, what it costs, what arrives on time."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from finalmile.canonical import DispatchOrder
from finalmile.rules.decision import Decision
from finalmile.rules.engine import decide
from finalmile.rules.facts import DeliveryType
from finalmile.rules.quotes import QuoteSource
from finalmile.rules.site import Site


@dataclass(frozen=True)
class ChangedOrder:
    """An order decided differently under the new rules."""

    order_id: str
    current: Decision
    new: Decision

    @property
    def cost_change(self) -> Decimal:
        """New cost minus current cost (a hold costs nothing yet)."""
        return (self.new.cost or Decimal(0)) - (self.current.cost or Decimal(0))

    @property
    def new_reasons(self) -> list[str]:
        """Reasons the new rules give that the current ones did not."""
        return [r for r in self.new.reasons if r not in self.current.reasons]


@dataclass
class Simulation:
    """Totals for both rule sets and the orders whose decision changed."""

    current_rules: str
    new_rules: str
    orders: int = 0
    current_cost: Decimal = Decimal(0)
    new_cost: Decimal = Decimal(0)
    current_on_time: int = 0
    new_on_time: int = 0
    moves: Counter[str] = field(default_factory=Counter)
    changed: list[ChangedOrder] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The report as JSON."""
        return {
            "rule_sets": {"current": self.current_rules, "new": self.new_rules},
            "orders": self.orders,
            "changed": len(self.changed),
            "moves": dict(sorted(self.moves.items())),
            "cost": {"current": str(self.current_cost), "new": str(self.new_cost)},
            "on_time": {"current": self.current_on_time, "new": self.new_on_time},
            "changed_orders": [
                {
                    "order_id": c.order_id,
                    "current": choice(c.current),
                    "new": choice(c.new),
                    "cost_change": str(c.cost_change),
                    "new_reasons": c.new_reasons,
                }
                for c in self.changed
            ],
        }

    def lines(self) -> list[str]:
        """The report as text."""
        change = self.new_cost - self.current_cost
        out = [
            f"current: {self.current_rules}   new: {self.new_rules}",
            f"orders: {self.orders}, decisions changed: {len(self.changed)}",
            *(f"  {move}: {count}" for move, count in sorted(self.moves.items())),
            f"cost: {self.current_cost} -> {self.new_cost} USD ({change:+})",
            f"on time (not held, by needed_by): {self.current_on_time} -> {self.new_on_time}",
        ]
        for item in self.changed:
            out.append(f"{item.order_id}: {choice(item.current)} -> {choice(item.new)}")
            out.extend(f"    {reason}" for reason in item.new_reasons)
        return out


def simulate(
    orders: Iterable[DispatchOrder],
    *,
    current: Site,
    new: Site,
    quotes: QuoteSource,
    now: dt.datetime,
) -> Simulation:
    """Decide every order under both sites' rules with the same quotes and clock."""
    report = Simulation(current_rules=current.rules.label, new_rules=new.rules.label)
    for order in orders:
        offered = quotes.quotes(order, current, now)
        before, after = decide(order, current, offered, now), decide(order, new, offered, now)
        report.orders += 1
        report.current_cost += before.cost or Decimal(0)
        report.new_cost += after.cost or Decimal(0)
        report.current_on_time += before.delivery_type is not DeliveryType.HOLD
        report.new_on_time += after.delivery_type is not DeliveryType.HOLD
        if choice(before) != choice(after):
            report.moves[f"{before.delivery_type} -> {after.delivery_type}"] += 1
            report.changed.append(ChangedOrder(order.order_id, before, after))
    return report


def choice(decision: Decision) -> str:
    """``UPS Ground 16.20 USD +adult_signature``, or ``hold``."""
    if decision.delivery_type is DeliveryType.HOLD:
        return "hold"
    extras = "".join(f" +{option}" for option in decision.options)
    return f"{decision.label} {decision.cost} USD{extras}"
