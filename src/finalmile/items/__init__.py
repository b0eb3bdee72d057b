"""The item master: the pharmacy's product file keyed by NDC (storage, schedule, packaging,
hazmat, weight and size), and the storage resolution intake applies to every order."""

from finalmile.items.codes import ItemCode
from finalmile.items.entry import HazmatFlag, ItemEntry
from finalmile.items.models import EVERY_SITE
from finalmile.items.release import ReleasedOrder, release_held
from finalmile.items.resolve import item_key, resolve_item, resolve_order
from finalmile.items.service import ItemService, StorageResolver
from finalmile.items.source import load_item_file, parse_item_yaml
from finalmile.ndc import format_ndc, normalize_ndc

__all__ = [
    "EVERY_SITE",
    "HazmatFlag",
    "ItemCode",
    "ItemEntry",
    "ItemService",
    "ReleasedOrder",
    "StorageResolver",
    "format_ndc",
    "item_key",
    "load_item_file",
    "normalize_ndc",
    "parse_item_yaml",
    "release_held",
    "resolve_item",
    "resolve_order",
]
