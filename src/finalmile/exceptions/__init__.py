"""The exceptions queue: orders that need a person, why, since when, and what may be done.

``ExceptionQueue.refresh`` (a scheduled job, and before each list) opens a row per new problem
and resolves the rows whose problem cleared; ``OrderActions`` are the actions people take (role
matrix in ``catalog``), each recorded in the order's history.
"""

from finalmile.exceptions.actions import Actor, Cancelled, OrderActions
from finalmile.exceptions.catalog import ACTIONS, REMEDIES, Action, check_role
from finalmile.exceptions.conditions import Thresholds
from finalmile.exceptions.jobs import add_exceptions_job
from finalmile.exceptions.listing import ExceptionOut, exception_out
from finalmile.exceptions.models import ExceptionKind, OrderException
from finalmile.exceptions.queue import ExceptionQueue, QueueFilter

__all__ = [
    "ACTIONS",
    "REMEDIES",
    "Action",
    "Actor",
    "Cancelled",
    "ExceptionKind",
    "ExceptionOut",
    "ExceptionQueue",
    "OrderActions",
    "OrderException",
    "QueueFilter",
    "Thresholds",
    "add_exceptions_job",
    "check_role",
    "exception_out",
]
