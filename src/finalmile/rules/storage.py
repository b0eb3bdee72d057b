"""What a decision says about storage: a hold while an item's class is unknown, and a note where
the item master's colder class overrode the message's."""

from __future__ import annotations

from finalmile.canonical import DispatchOrder, StorageSource
from finalmile.ndc import format_ndc


def storage_reasons(order: DispatchOrder) -> list[str]:
    """The storage reasons of ``order``: a hold reason first when its storage is unknown."""
    unknown = [
        _name(item.ndc, line) for line, item in enumerate(order.items, 1) if item.storage is None
    ]
    if unknown:
        return [
            f"Hold: storage requirement unknown for NDC {', '.join(unknown)}: add it to the item "
            "master or send it in the message"
        ]
    return [
        f"Storage: NDC {_name(item.ndc, line)} travels {item.storage}: the item master is colder "
        "than the message, and the colder class wins"
        for line, item in enumerate(order.items, 1)
        if item.storage_source is StorageSource.MASTER_COLDER
    ]


def _name(ndc: str | None, line: int) -> str:
    """The NDC as pharmacists read it (5-4-2 with dashes), or which item has none."""
    if not ndc:
        return f"(none, item {line})"
    return format_ndc(ndc) if len(ndc) == 11 and ndc.isdigit() else ndc
