"""What a layout adapter is, and what it is given: the bytes of an export and the read options.

An adapter turns one logger vendor's export into the canonical ``TemperatureLog``. It is pure (no
I/O, no database) and reports every bad row at once through ``Problems``, by line and column.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from finalmile.evidence.temperature.readings import TemperatureLog, Unit


@dataclass(frozen=True)
class ReadOptions:
    """What the uploader may tell an adapter; the export itself wins where it says otherwise.

    Attributes:
        zone: the time zone of timestamps written without a UTC offset.
        unit: the temperature unit, when the export does not name it (an export that names
            another unit is refused rather than guessed).
        logger_id: the logger's serial number, when the export does not carry it.
        interval: the logging interval, when the export does not carry it (else inferred).
    """

    zone: ZoneInfo
    unit: Unit | None = None
    logger_id: str | None = None
    interval: dt.timedelta | None = None


class LayoutAdapter(Protocol):
    """Reads one export layout. ``name`` is the registry key (lowercase, ``--layout NAME``)."""

    @property
    def name(self) -> str:
        """The registry key."""
        ...

    @property
    def label(self) -> str:
        """A human-readable description of the export it reads."""
        ...

    def read(self, content: bytes, options: ReadOptions) -> TemperatureLog:
        """The log in ``content``.

        Raises:
            TemperatureFileError: the content does not fit the layout; every problem found is
                listed with its line and column.
        """
        ...
