"""The outcome of a decision: how the order travels and why, in words a pharmacist can read."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, NamedTuple

from finalmile.rules.facts import DeliveryType


class Choice(NamedTuple):
    """One way to send a held order that the rules still allow: a person may choose it."""

    label: str
    delivery_type: DeliveryType
    carrier: str
    service: str
    ship_at: dt.datetime
    estimated_delivery: dt.datetime
    cost: Decimal
    options: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """JSON-ready (stored with the decision)."""
        return {
            "label": self.label,
            "delivery_type": self.delivery_type.value,
            "carrier": self.carrier,
            "service": self.service,
            "ship_at": _iso(self.ship_at),
            "estimated_delivery": _iso(self.estimated_delivery),
            "cost": str(self.cost),
            "options": list(self.options),
        }


class Decision(NamedTuple):
    """How one order travels (immutable).

    ``reasons`` lists every rule that fired or removed an option, then the choice; a ``hold``
    (nothing allowed, or a hold rule) has no carrier and waits for a person, who may pick one of
    ``choices`` (a hold rule's: what the other rules allow) or override. A named tuple, not
    a frozen dataclass: the engine makes one per order, and a frozen dataclass sets each of its
    fields through ``object.__setattr__``, several times slower.
    """

    order_id: str
    site: str
    delivery_type: DeliveryType
    carrier: str | None
    service: str | None
    label: str | None
    ship_at: dt.datetime | None
    estimated_delivery: dt.datetime | None
    cost: Decimal | None
    options: tuple[str, ...]
    rule_set: str
    rule_set_version: int | None
    rule_set_sha256: str
    decided_at: dt.datetime
    reasons: tuple[str, ...]
    #: A hold by a rule: the candidates the other rules still allow, cheapest first.
    choices: tuple[Choice, ...] = ()

    def summary(self) -> dict[str, Any]:
        """The one-line JSON form ``finalmile decide`` prints."""
        return {
            "order_id": self.order_id,
            "delivery_type": self.delivery_type.value,
            "carrier": self.carrier,
            "service": self.service,
            "estimated_delivery": _iso(self.estimated_delivery),
            "cost": None if self.cost is None else str(self.cost),
            "reasons": list(self.reasons),
        }

    def to_json(self) -> dict[str, Any]:
        """Everything, JSON-ready (stored with the decision and served by the API)."""
        return {
            **self.summary(),
            "site": self.site,
            "label": self.label,
            "ship_at": _iso(self.ship_at),
            "options": list(self.options),
            "rule_set": self.rule_set,
            "rule_set_version": self.rule_set_version,
            "rule_set_sha256": self.rule_set_sha256,
            "decided_at": _iso(self.decided_at),
            "choices": [choice.to_json() for choice in self.choices],
        }


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()
