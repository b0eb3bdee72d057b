"""What billing needs to know about a delivery, as a narrow Protocol over the tracking records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Protocol

from sqlalchemy.orm import Session


class DeliveryEvidence(Protocol):
    """An order's proof of delivery as billing sees it."""

    @property
    def complete(self) -> bool:
        """Whether the POD holds everything a claim audit asks for."""
        ...

    @property
    def reference(self) -> str:
        """A stable reference to the POD record (sent to the PMS with the claim)."""
        ...

    @property
    def delivered_at(self) -> dt.datetime:
        """When the package was handed over."""
        ...

    @property
    def shipped_at(self) -> dt.datetime | None:
        """When the carrier or driver took the package, if known."""
        ...

    @property
    def recipient_relationship(self) -> str | None:
        """Who signed, as a relationship (``self``, ``spouse``...), never a name."""
        ...

    @property
    def temperature_verdict(self) -> str | None:
        """The package's temperature log verdict (``pass``, ``fail``, ``incomplete``), if any."""
        ...

    @property
    def temperature_released(self) -> bool:
        """Whether a pharmacist released the excursion in force (accepting it as a pass)."""
        ...


#: Reads an order's delivery evidence in the caller's transaction (None: no POD yet).
EvidenceSource = Callable[[Session, int], DeliveryEvidence | None]
