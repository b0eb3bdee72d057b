"""Stored order rows <-> canonical ``DispatchOrder``; patient data is sealed by the vault."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from typing import Any

from finalmile.canonical import Address, DispatchOrder, Item, Patient
from finalmile.orders.models import Order, OrderItem
from finalmile.vault import Vault

# Item keys added to the contract after orders were first stored: left out of the digest while
# null, so that adding a field does not make every stored order look changed on its next re-send.
_ADDED_ITEM_KEYS = ("controlled_schedule", "code", "system")


def content_digest(order: DispatchOrder) -> str:
    """SHA-256 of the order's contract JSON: equal digests mean nothing changed."""
    contract = order.to_contract()
    for item in contract["items"]:
        # Where a class came from is not content: the class itself is (and orders stored before
        # the key existed keep their digest).
        del item["storage_source"]
        for key in _ADDED_ITEM_KEYS:
            if item[key] is None:
                del item[key]
    body = json.dumps(contract, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def order_columns(order: DispatchOrder, *, digest: str, vault: Vault) -> dict[str, Any]:
    """Column values for the ``dispatch_order`` row of ``order`` (without ids and timestamps).

    ``digest`` is ``content_digest(order)``, which the caller has already computed to detect change.
    """
    phi = {
        "patient": order.patient.model_dump(mode="json"),
        "ship_to": order.ship_to.model_dump(mode="json"),
        "instructions": order.instructions,
    }
    offset = order.needed_by.utcoffset() if order.needed_by else None
    return {
        "connector": order.connector,
        "order_id": order.order_id,
        "storage": order.storage.value if order.storage_known else None,
        "needed_by": order.needed_by,
        "needed_by_offset_minutes": int(offset.total_seconds() // 60)
        if offset is not None
        else None,
        "requires_signature": order.requires_signature,
        "content_sha256": digest,
        "phi_encrypted": vault.encrypt(json.dumps(phi, separators=(",", ":")).encode()),
    }


def item_rows(order: DispatchOrder, *, order_pk: int) -> list[dict[str, Any]]:
    """Rows for ``order_item``, numbered in the order the PMS sent them."""
    return [
        {
            "order_pk": order_pk,
            "line": line,
            "ndc": item.ndc,
            "description": item.description,
            "quantity": item.quantity,
            "unit": item.unit,
            "storage": item.storage,
            "storage_source": item.storage_source,
            "controlled_schedule": item.controlled_schedule,
            "code": item.code,
            "system": item.system,
        }
        for line, item in enumerate(order.items, start=1)
    ]


def load_order(row: Order, items: Sequence[OrderItem], *, vault: Vault) -> DispatchOrder:
    """The canonical order stored in ``row`` and its ``items``."""
    phi = json.loads(vault.decrypt(row.phi_encrypted))
    needed_by = row.needed_by
    if needed_by is not None and row.needed_by_offset_minutes is not None:
        needed_by = needed_by.astimezone(
            dt.timezone(dt.timedelta(minutes=row.needed_by_offset_minutes))
        )
    return DispatchOrder(
        order_id=row.order_id,
        connector=row.connector,
        patient=Patient.model_validate(phi["patient"]),
        ship_to=Address.model_validate(phi["ship_to"]),
        items=tuple(
            Item(
                ndc=item.ndc,
                description=item.description,
                quantity=item.quantity,
                unit=item.unit,
                storage=item.storage,
                storage_source=item.storage_source,
                controlled_schedule=item.controlled_schedule,
                code=item.code,
                system=item.system,
            )
            for item in sorted(items, key=lambda i: i.line)
        ),
        needed_by=needed_by,
        requires_signature=row.requires_signature,
        instructions=phi["instructions"],
    )
