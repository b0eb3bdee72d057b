"""Stored orders: tables, the row codec, queries and the one order status (the canonical
contract they store is ``finalmile.canonical``; the ``/orders`` list is ``finalmile.worklist``)."""

from finalmile.orders.codec import content_digest, item_rows, load_order, order_columns
from finalmile.orders.lifecycle import (
    BILLING_ACTION,
    DISPATCHED,
    FINISHED,
    STATUS_ACTION,
    UNDISPATCHED,
    confirm_billing,
    is_active,
    move,
)
from finalmile.orders.models import BillingStatus, Order, OrderItem, OrderStatus
from finalmile.orders.service import find_order, order_record

__all__ = [
    "BILLING_ACTION",
    "DISPATCHED",
    "FINISHED",
    "STATUS_ACTION",
    "UNDISPATCHED",
    "BillingStatus",
    "Order",
    "OrderItem",
    "OrderStatus",
    "confirm_billing",
    "content_digest",
    "find_order",
    "is_active",
    "item_rows",
    "load_order",
    "move",
    "order_columns",
    "order_record",
]
