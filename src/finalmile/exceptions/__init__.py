"""The exceptions queue: orders that need a person, why, since when, and what may be done."""

from finalmile.exceptions.models import ExceptionKind, OrderException

__all__ = ["ExceptionKind", "OrderException"]
