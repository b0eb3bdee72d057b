"""The audit archive: everything that proves one order's delivery, as a JSON index and a PDF."""

from finalmile.evidence.archive.holds import HoldRecord, held_since
from finalmile.evidence.archive.listing import ArchiveEntry, ArchiveFilter
from finalmile.evidence.archive.packet import Retention
from finalmile.evidence.archive.service import ArchiveService

__all__ = [
    "ArchiveEntry",
    "ArchiveFilter",
    "ArchiveService",
    "HoldRecord",
    "Retention",
    "held_since",
]
