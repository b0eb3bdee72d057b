"""Stable error codes of the actions people take on orders."""

from __future__ import annotations

from enum import StrEnum


class ActionCode(StrEnum):
    """``code`` values of the errors the order actions raise, serialised as their string value."""

    WRONG_STATUS = "wrong_status"
    NOT_OUR_ROUTE = "not_our_route"
    NO_EXCURSION = "no_excursion"
    PURCHASE_IN_PROGRESS = "purchase_in_progress"
    NO_DELIVERY_DAY = "no_delivery_day"
