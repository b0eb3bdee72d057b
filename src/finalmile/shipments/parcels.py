"""The parcel a carrier rates and labels: the item master's package where it knows it, else the
account's default parcel."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Protocol

from finalmile.canonical import DispatchOrder
from finalmile.carriers import Parcel
from finalmile.items import ItemEntry, item_key

OUNCES_PER_POUND = Decimal(16)


class ItemFacts(Protocol):
    """The item master entries of an order's products (``ItemService`` is one)."""

    def entries_for(self, order: DispatchOrder) -> Mapping[str, ItemEntry]:
        """Entries by 11-digit NDC for the order's items (its site's, else every site's)."""
        ...


def parcel_of(order: DispatchOrder, entries: Mapping[str, ItemEntry]) -> Parcel | None:
    """The product's own package for a one-line order whose product has a packed weight and
    dimensions in the item master; None otherwise (several lines pack into a box the item master
    cannot know)."""
    if len(order.items) != 1:
        return None
    key = item_key(order.items[0])
    entry = entries.get(key) if key else None
    if entry is None or entry.weight_lb is None or entry.dimensions_in is None:
        return None
    length, width, height = entry.dimensions_in
    return Parcel(
        length_in=length,
        width_in=width,
        height_in=height,
        weight_oz=entry.weight_lb * OUNCES_PER_POUND,
    )
