"""Stored orders: tables, the row codec, queries and the ``/orders`` list (the canonical
contract they store is ``finalmile.canonical``)."""

from finalmile.orders.codec import content_digest, item_rows, load_order, order_columns
from finalmile.orders.models import Order, OrderItem, OrderStatus
from finalmile.orders.service import find_order, order_record

__all__ = [
    "Order",
    "OrderItem",
    "OrderStatus",
    "content_digest",
    "find_order",
    "item_rows",
    "load_order",
    "order_columns",
    "order_record",
]
