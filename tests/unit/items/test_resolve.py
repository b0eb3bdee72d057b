"""Storage resolution: message, else item master, else the connector's default, else unknown;
the colder of message and item master wins."""

from __future__ import annotations

from decimal import Decimal

import pytest

from finalmile.canonical import Item, StorageClass, StorageSource
from finalmile.items import ItemEntry, resolve_item

A, C, R, F = (
    StorageClass.AMBIENT,
    StorageClass.CONTROLLED_ROOM,
    StorageClass.REFRIGERATED,
    StorageClass.FROZEN,
)


def _item(storage: StorageClass | None) -> Item:
    return Item(ndc="00002-8215-01", quantity=Decimal(1), storage=storage)


def _entry(storage: StorageClass) -> ItemEntry:
    return ItemEntry(ndc="00002821501", storage=storage)


@pytest.mark.parametrize(
    ("said", "master", "default", "expected"),
    [
        (A, None, None, (A, StorageSource.MESSAGE)),
        (R, A, None, (R, StorageSource.MESSAGE)),  # the message is colder: it stands
        (A, R, None, (R, StorageSource.MASTER_COLDER)),  # the item master is colder: it wins
        (R, R, None, (R, StorageSource.MESSAGE)),
        (None, F, A, (F, StorageSource.ITEM_MASTER)),  # the item master before the default
        (None, None, C, (C, StorageSource.PROFILE_DEFAULT)),
        (None, None, None, (None, None)),  # unknown: never assumed
    ],
)
def test_storage_comes_from_the_first_source_that_knows(
    said: StorageClass | None,
    master: StorageClass | None,
    default: StorageClass | None,
    expected: tuple[StorageClass | None, StorageSource | None],
) -> None:
    entry = _entry(master) if master else None
    resolved = resolve_item(_item(said), entry, default)
    assert (resolved.storage, resolved.storage_source) == expected
