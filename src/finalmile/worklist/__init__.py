"""The cross-domain order lists: ``GET /orders`` filtered by what every domain knows about an
order (status, decision, live shipment, driver, needed-by, lateness), sorted newest first or by
needed-by, and ``GET /orders/summary``: the day's counts."""

from finalmile.worklist.models import DayCounts, OrderList, OrderSummary
from finalmile.worklist.query import OrderLine, OrderPage, OrderQuery, Sort, with_journey
from finalmile.worklist.service import Worklist
from finalmile.worklist.summary import DaySummary

__all__ = [
    "DayCounts",
    "DaySummary",
    "OrderLine",
    "OrderList",
    "OrderPage",
    "OrderQuery",
    "OrderSummary",
    "Sort",
    "Worklist",
    "with_journey",
]
