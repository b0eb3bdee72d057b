"""The shipment draft a carrier rates: the stored order, decrypted, with the account's defaults."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from finalmile.canonical import DispatchOrder
from finalmile.carriers import CarrierAccount, ShipmentDraft, ShipmentOptions
from finalmile.errors import PermanentError
from finalmile.orders import Order, OrderItem, load_order
from finalmile.shipments.packing import packed_options
from finalmile.shipments.parcels import ItemFacts, parcel_of
from finalmile.vault import Vault


def draft_for(
    sessions: sessionmaker[Session],
    vault: Vault,
    carrier: CarrierAccount,
    *,
    order_pk: int,
    reference: str,
    options: ShipmentOptions,
    items: ItemFacts | None = None,
) -> ShipmentDraft:
    """What ``carrier`` needs to rate the order: addresses, parcel (the request's, else the item
    master's package, else the account's) and options.

    Raises:
        PermanentError: the account has no ship-from address.
    """
    with sessions() as session:
        order = session.get(Order, order_pk)
        assert order is not None
        statement = select(OrderItem).where(col(OrderItem.order_pk) == order_pk)
        lines = list(session.scalars(statement.order_by(col(OrderItem.line))))
    return draft_of(carrier, load_order(order, lines, vault=vault), reference, options, items)


def draft_of(
    carrier: CarrierAccount,
    order: DispatchOrder,
    reference: str,
    options: ShipmentOptions,
    items: ItemFacts | None = None,
) -> ShipmentDraft:
    """The draft of an order already at hand (no order read): the item master's dry ice and
    hazmat flags are added to ``options`` (``packing.packed_options``).

    Raises:
        PermanentError: the account has no ship-from address, or dry ice is needed and its
            weight is known nowhere.
    """
    ship_from = carrier.settings.ship_from
    if ship_from is None:
        raise PermanentError(f"carrier account {carrier.name!r} has no ship_from address")
    entries = items.entries_for(order) if items is not None else {}
    return ShipmentDraft(
        reference=reference,
        order=order,
        ship_from=ship_from,
        parcel=options.parcel or parcel_of(order, entries) or carrier.settings.default_parcel,
        options=packed_options(order, entries, options),
    )
