"""What a mapped message asks for, order by order: the output every format's mapping shares."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from finalmile.canonical import DispatchOrder


class OrderAction(StrEnum):
    """What an inbound order asks for."""

    UPSERT = "upsert"
    CANCEL = "cancel"


@dataclass(frozen=True, slots=True)
class OrderIntent:
    """One order of a message: create/replace it (with ``order``) or cancel it (``order`` None).

    ``location`` is where the order is identified in the message (``ORC-2``,
    ``Bundle.entry[0].resource.identifier``, ``line 7``), for errors about the order as a whole.
    """

    action: OrderAction
    order_id: str
    order: DispatchOrder | None = None
    location: str | None = None
