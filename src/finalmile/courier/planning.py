"""What the courier day's planning needs from the process, handed in by the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from finalmile.rules import Decider
from finalmile.vault import Vault


@dataclass(frozen=True)
class CourierPlanning:
    """Storage, the decisions a day is planned from, and the travel-table service new plans are
    priced on (``None``: the great-circle estimate)."""

    sessions: sessionmaker[Session]
    vault: Vault
    decider: Decider
    routing_table_url: str | None = None
