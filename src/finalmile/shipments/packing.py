"""What the item master adds to a shipment's options: the dry ice and dangerous goods a carrier
must be told about, whoever asked for the label."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from finalmile.canonical import DispatchOrder
from finalmile.carriers import ShipmentOptions
from finalmile.errors import PermanentError
from finalmile.items import ItemEntry, format_ndc, item_key

OUNCES_PER_POUND = Decimal(16)


def packed_options(
    order: DispatchOrder, entries: Mapping[str, ItemEntry], options: ShipmentOptions
) -> ShipmentOptions:
    """``options`` with the item master's dry ice (its weight, one packing per dispensed line,
    unless a weight was given) and hazmat flags added.

    Raises:
        PermanentError: when dry ice is required (asked for, or an
            item's entry says so) and neither the options nor the item master give its weight.
    """
    chosen = [
        entry for item in order.items if (key := item_key(item)) and (entry := entries.get(key))
    ]
    iced = [entry for entry in chosen if entry.dry_ice]
    hazmat = tuple(dict.fromkeys((*options.hazmat, *(f for e in chosen for f in e.hazmat))))
    weight = options.dry_ice_weight_oz
    if weight is None and (options.dry_ice or iced):
        weight = _dry_ice_oz(order, iced)
    return options.model_copy(
        update={"dry_ice": weight is not None, "dry_ice_weight_oz": weight, "hazmat": hazmat}
    )


def _dry_ice_oz(order: DispatchOrder, iced: list[ItemEntry]) -> Decimal:
    unknown = [entry.ndc for entry in iced if entry.dry_ice_weight_lb is None]
    if not iced or unknown:
        which = f" for NDC {format_ndc(unknown[0])}" if unknown else " for any of the order's items"
        raise PermanentError(
            f"order {order.order_id!r} needs dry ice but the item master gives no dry ice "
            f"weight{which}; add dry_ice_weight_lb to the item master"
        )
    return sum(
        (entry.dry_ice_weight_lb * OUNCES_PER_POUND for entry in iced if entry.dry_ice_weight_lb),
        Decimal(0),
    )
