"""``finalmile items import``: add a file to the item master, then release and decide again the
orders that were held because it did not know their products."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import structlog

from finalmile.app.wiring import Services
from finalmile.errors import FinalmileError
from finalmile.items import EVERY_SITE, ReleasedOrder, load_item_file, release_held

log = structlog.get_logger(__name__)

ACTOR = "items-import"


@dataclass
class ItemImport:
    """What an import did: entries written, held orders released, and how each was decided
    (``delivery_type``; ``deferred`` names the orders the decision job will decide instead)."""

    count: int
    released: list[ReleasedOrder] = field(default_factory=list)
    decided: dict[str, str] = field(default_factory=dict)
    deferred: list[str] = field(default_factory=list)


def import_items(services: Services, path: Path, *, scope: str = EVERY_SITE) -> ItemImport:
    """Validate ``path`` as a whole and write its entries, then release every held order whose
    storage the new entries resolve and decide it now (audited as ``storage_resolved`` and
    ``decided``).

    Raises:
        ConfigError: every problem in the file (nothing is written then).
    """
    entries = load_item_file(path)
    done = ItemImport(services.items.save(entries, scope=scope))
    done.released = release_held(
        services.sessions,
        services.vault,
        services.storage,
        {entry.ndc for entry in entries},
        actor=ACTOR,
    )
    for order in done.released:
        try:
            stored = services.decider.decide_order(
                order_id=order.order_id, connector=order.connector, actor=ACTOR
            )
        except FinalmileError as exc:  # quotes down, cancelled meanwhile: the decision job's turn
            log.warning(
                "released_order_not_decided", order_id=order.order_id, error_type=type(exc).__name__
            )
            done.deferred.append(order.order_id)
        else:
            done.decided[order.order_id] = stored.row.delivery_type.value
    return done
