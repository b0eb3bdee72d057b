"""The item master in the database: import a file, show a product, look products up for intake."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from decimal import Decimal

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session, sessionmaker

from finalmile.canonical import DispatchOrder, StorageClass
from finalmile.db_types import utcnow
from finalmile.items.entry import ItemEntry
from finalmile.items.models import EVERY_SITE, ItemMasterRow
from finalmile.items.resolve import item_key, resolve_order
from finalmile.ndc import normalize_ndc

_TABLE = ItemMasterRow.__table__  # type: ignore[attr-defined]
_ENTRY_FIELDS = tuple(name for name in ItemEntry.model_fields if name != "hazmat")


class ItemService:
    """Reads and writes the item master. ``scope`` is a site name, or ``*`` for every site; a
    site's own entry for an NDC wins over the installation's."""

    def __init__(
        self, sessions: sessionmaker[Session], *, sites: Mapping[str, str] | None = None
    ) -> None:
        """``sites`` names the site serving each connector (for site-scoped entries)."""
        self._sessions = sessions
        self._sites = dict(sites or {})

    def entries_for(self, order: DispatchOrder) -> dict[str, ItemEntry]:
        """Entries by 11-digit NDC for ``order``'s items: its site's, else every site's."""
        keys = {key for item in order.items if (key := item_key(item))}
        if not keys:
            return {}
        with self._sessions() as session:
            found = _lookup(session.connection(), keys)
        site = self._sites.get(order.connector)
        return {**found.get(EVERY_SITE, {}), **(found.get(site, {}) if site else {})}

    def save(self, entries: Iterable[ItemEntry], *, scope: str = EVERY_SITE) -> int:
        """Add or replace ``entries`` in ``scope`` in one transaction; the count."""
        entries = list(entries)
        with self._sessions.begin() as session:
            current = {
                row.ndc: row
                for row in session.scalars(
                    select(ItemMasterRow).where(
                        ItemMasterRow.scope == scope,  # type: ignore[arg-type]
                        ItemMasterRow.ndc.in_([e.ndc for e in entries]),  # type: ignore[attr-defined]
                    )
                )
            }
            now = utcnow()
            for entry in entries:
                row = current.get(entry.ndc) or ItemMasterRow(
                    scope=scope, ndc=entry.ndc, storage=entry.storage, updated_at=now
                )
                for name in _ENTRY_FIELDS:
                    setattr(row, name, getattr(entry, name))
                row.hazmat = ",".join(entry.hazmat)
                row.updated_at = now
                session.add(row)
        return len(entries)

    def show(self, ndc: str) -> dict[str, ItemEntry]:
        """The entries for ``ndc`` (any accepted layout) by scope; empty when it is not listed.

        Raises:
            ValueError: ``ndc`` is not an NDC.
        """
        key = normalize_ndc(ndc)
        with self._sessions() as session:
            rows = session.scalars(
                select(ItemMasterRow).where(ItemMasterRow.ndc == key)  # type: ignore[arg-type]
            )
            return {row.scope: _entry(row) for row in rows}

    def packed_weight_lb(self, order: DispatchOrder, *, site: str) -> Decimal | None:
        """The sum of the items' packed weights (``weight_lb``: one dispensed line each, cold
        packs included) from ``site``'s entries, else every site's; None unless every item has one.
        """
        keys = [item_key(item) for item in order.items]
        if None in keys:
            return None
        with self._sessions() as session:
            found = _lookup(session.connection(), {k for k in keys if k})
        entries = {**found.get(EVERY_SITE, {}), **found.get(site, {})}
        weights = [entries[k].weight_lb if k in entries else None for k in keys if k]
        if any(weight is None for weight in weights):
            return None
        return sum((w for w in weights if w is not None), Decimal(0))


class StorageResolver:
    """Resolves the storage class of incoming orders inside intake's transaction.

    ``defaults`` is each connector's explicit ``default_storage``; ``sites`` names the site that
    serves each connector (for site-scoped entries).
    """

    def __init__(self, defaults: Mapping[str, StorageClass], sites: Mapping[str, str]) -> None:
        self._defaults = dict(defaults)
        self.sites: Mapping[str, str] = dict(sites)

    def resolve(
        self, connection: Connection, orders: Collection[DispatchOrder]
    ) -> list[DispatchOrder]:
        """``orders`` with each item's storage from the message, the item master or the default."""
        keys = {key for order in orders for item in order.items if (key := item_key(item))}
        found = _lookup(connection, keys) if keys else {}
        resolved = []
        for order in orders:
            site = self.sites.get(order.connector)
            entries = {**found.get(EVERY_SITE, {}), **(found.get(site, {}) if site else {})}
            resolved.append(resolve_order(order, entries, self._defaults.get(order.connector)))
        return resolved


def _lookup(connection: Connection, keys: Collection[str]) -> dict[str, dict[str, ItemEntry]]:
    """Entries for ``keys`` by scope, then NDC."""
    by_scope: dict[str, dict[str, ItemEntry]] = {}
    for row in connection.execute(select(_TABLE).where(_TABLE.c.ndc.in_(sorted(keys)))).mappings():
        by_scope.setdefault(row["scope"], {})[row["ndc"]] = _entry(row)
    return by_scope


def _plain(value: object) -> object:
    """A stored measure without the column's trailing zeros (``3.5000`` -> ``3.5``)."""
    if not isinstance(value, Decimal):
        return value
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def _entry(row: object) -> ItemEntry:
    get = row.__getitem__ if isinstance(row, Mapping) else lambda name: getattr(row, name)
    values = {name: _plain(get(name)) for name in _ENTRY_FIELDS}
    hazmat = get("hazmat")
    return ItemEntry.model_validate(
        {**values, "hazmat": tuple(hazmat.split(",")) if hazmat else ()}
    )
