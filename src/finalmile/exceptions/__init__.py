"""The exceptions queue: orders that need a person, why, since when, and what may be done."""

from finalmile.exceptions.codes import ActionCode
from finalmile.exceptions.models import ExceptionKind, OrderException
from finalmile.exceptions.redelivery import (
    ALLOWED,
    ActedBy,
    Action,
    Disposed,
    Reattempted,
    Redelivery,
    check_role,
)

__all__ = [
    "ALLOWED",
    "ActedBy",
    "Action",
    "ActionCode",
    "Disposed",
    "ExceptionKind",
    "OrderException",
    "Reattempted",
    "Redelivery",
    "check_role",
]
