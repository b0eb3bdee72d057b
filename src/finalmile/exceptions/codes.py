"""Stable error codes of the exceptions queue and its actions."""

from __future__ import annotations

from enum import StrEnum


class ExceptionCode(StrEnum):
    """``code`` values of the errors this package raises, serialised as their string value."""

    NOT_HELD = "not_held"
    NOT_CANCELLABLE = "not_cancellable"
    NOT_DELIVERED = "not_delivered"
    POD_COMPLETE = "pod_complete"
    NOTHING_TO_REPLAY = "nothing_to_replay"
    TOO_LARGE = "too_large"
    NOT_IMAGE_OR_PDF = "not_image_or_pdf"
    WRONG_STATUS = "wrong_status"
    NOT_OUR_ROUTE = "not_our_route"
    NO_EXCURSION = "no_excursion"
    PURCHASE_IN_PROGRESS = "purchase_in_progress"
    NO_DELIVERY_DAY = "no_delivery_day"
