"""Where an item's storage class comes from: the message, else the item master, else the
connector's explicit ``default_storage``, else unknown (the order waits). When the message and the
item master disagree, the colder class wins. Pure."""

from __future__ import annotations

from collections.abc import Mapping

from finalmile.canonical import DispatchOrder, Item, StorageClass, StorageSource, coldest
from finalmile.items.entry import ItemEntry
from finalmile.ndc import normalize_ndc


def item_key(item: Item) -> str | None:
    """The item's NDC in item master form, or None when it has no readable NDC."""
    if item.ndc is None:
        return None
    try:
        return normalize_ndc(item.ndc)
    except ValueError:
        return None


def resolve_item(item: Item, entry: ItemEntry | None, default: StorageClass | None) -> Item:
    """``item`` with its storage class and where that class came from."""
    said, known = item.storage, entry.storage if entry is not None else None
    if said is not None and known is not None and coldest((said, known)) != said:
        return item.model_copy(
            update={"storage": known, "storage_source": StorageSource.MASTER_COLDER}
        )
    if said is not None:
        return item.model_copy(update={"storage_source": StorageSource.MESSAGE})
    if known is not None:
        return item.model_copy(
            update={"storage": known, "storage_source": StorageSource.ITEM_MASTER}
        )
    if default is not None:
        return item.model_copy(
            update={"storage": default, "storage_source": StorageSource.PROFILE_DEFAULT}
        )
    return item.model_copy(update={"storage": None, "storage_source": None})


def resolve_order(
    order: DispatchOrder, entries: Mapping[str, ItemEntry], default: StorageClass | None
) -> DispatchOrder:
    """``order`` with every item's storage resolved against ``entries`` (by 11-digit NDC)."""
    items = []
    for item in order.items:
        key = item_key(item)
        items.append(resolve_item(item, entries.get(key) if key else None, default))
    return order.model_copy(update={"items": tuple(items)})
