"""The exceptions queue: orders that need a person, why, since when, and what may be done.

``ExceptionQueue.refresh`` (a scheduled job, and before each list) opens a row per new problem
and resolves the rows whose problem cleared. The actions people take, each checked against one
role matrix (``catalog``) and recorded in the order's history: ``OrderActions`` (resolve a hold,
cancel, complete a POD, replay a write-back) and ``Redelivery`` (reattempt, reship, the
disposition of a temperature excursion).
"""

from finalmile.exceptions.acting import acting_as, cli_actor, key_actor
from finalmile.exceptions.actions import Cancelled, OrderActions
from finalmile.exceptions.catalog import ACTIONS, REMEDIES, Action, Actor, check_role
from finalmile.exceptions.conditions import Thresholds
from finalmile.exceptions.jobs import add_exceptions_job
from finalmile.exceptions.listing import ExceptionOut, exception_out
from finalmile.exceptions.models import ExceptionKind, OrderException
from finalmile.exceptions.queue import ExceptionQueue, QueueFilter
from finalmile.exceptions.redelivery import Disposed, Reattempted, Redelivery

__all__ = [
    "ACTIONS",
    "REMEDIES",
    "Action",
    "Actor",
    "Cancelled",
    "Disposed",
    "ExceptionKind",
    "ExceptionOut",
    "ExceptionQueue",
    "OrderActions",
    "OrderException",
    "QueueFilter",
    "Reattempted",
    "Redelivery",
    "Thresholds",
    "acting_as",
    "add_exceptions_job",
    "check_role",
    "cli_actor",
    "exception_out",
    "key_actor",
]
