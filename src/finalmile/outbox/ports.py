"""What the outbox asks of the outside: deliverers of effects, found per connector.

The write-back targets of ``connectors/writeback`` implement these; the outbox knows them only
through this module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from finalmile.outbox_terms import RetryPolicy, Topic


@dataclass(frozen=True)
class Effect:
    """One outbox row as a deliverer sees it."""

    event_id: int
    key: str
    topic: Topic
    connector: str
    payload: dict[str, Any]
    created_at: dt.datetime

    @property
    def idempotency_key(self) -> str:
        """The same for every attempt and replay of this effect: receivers dedupe on it."""
        return f"{self.connector}:{self.key}"


class Deliverer(Protocol):
    """Delivers effects to one PMS endpoint.

    ``deliver`` returns a short description of the receiver's answer (``HTTP 200``, ``AA``) and
    raises ``RetriableError`` (try again later: timeouts, 5xx, HL7 AE/AR) or ``PermanentError``
    (refused for good: dead-letter now). Messages never carry patient data.
    """

    name: str
    topics: tuple[Topic, ...]

    def deliver(self, effect: Effect) -> str:
        """Deliver ``effect`` once; the receiver may see it again on a retry (same key)."""
        ...


class Deliverers(Protocol):
    """The deliverers and retry policy of each connector."""

    def for_connector(self, connector: str) -> Sequence[Deliverer]:
        """The connector's deliverers (none when it delivers nothing)."""
        ...

    def policy(self, connector: str) -> RetryPolicy:
        """The connector's retry policy."""
        ...
